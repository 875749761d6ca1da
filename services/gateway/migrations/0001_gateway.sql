-- The portal's own data: accounts, sessions, sign-in attempts, reset tokens, OIDC identities,
-- an audit of every command it sent (who, for whom), and its index of what the time bank
-- published (exchanges and members by person and state), for the lists on its pages.

CREATE TABLE accounts (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (email = lower(email)),
    name text NOT NULL,
    password_hash text,
    role text NOT NULL CHECK (role IN ('resident', 'organisation', 'coordinator', 'reviewer',
        'panel_member', 'finance', 'operator')),
    member_id uuid UNIQUE,
    community text,
    scopes text[] NOT NULL DEFAULT '{}',
    language text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    on_behalf_of uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE login_failures (
    key text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE reset_tokens (
    token_hash bytea PRIMARY KEY,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);

CREATE TABLE oidc_identities (
    issuer text NOT NULL,
    subject text NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (issuer, subject)
);

CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    account_id uuid NOT NULL,
    role text NOT NULL,
    on_behalf_of text,
    operation text NOT NULL,
    command_id uuid,
    outcome text NOT NULL
);
CREATE INDEX audit_account ON audit (account_id, at);

CREATE TABLE exchange_index (
    exchange_id uuid PRIMARY KEY,
    community text NOT NULL,
    provider_id uuid NOT NULL,
    receiver_id uuid NOT NULL,
    state text NOT NULL,
    amount bigint NOT NULL,
    recorded_by_coordinator boolean NOT NULL DEFAULT false,
    proposed_by uuid,
    updated_at timestamptz NOT NULL
);
CREATE INDEX exchange_index_provider ON exchange_index (provider_id, updated_at DESC);
CREATE INDEX exchange_index_receiver ON exchange_index (receiver_id, updated_at DESC);
CREATE INDEX exchange_index_state ON exchange_index (community, state, updated_at DESC);

CREATE TABLE member_index (
    member_id uuid PRIMARY KEY,
    community text NOT NULL,
    state text NOT NULL,
    registered_by text NOT NULL,
    needs_vog boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL
);
CREATE INDEX member_index_state ON member_index (community, state, updated_at DESC);
