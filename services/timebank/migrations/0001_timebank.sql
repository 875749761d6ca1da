-- The time bank: communities, members, accounts, the transfer journal, listings, exchanges.

CREATE TABLE communities (
    code              text PRIMARY KEY,
    name              text NOT NULL,
    auto_confirm_days integer NOT NULL CHECK (auto_confirm_days BETWEEN 1 AND 90),
    configured_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE community_units (
    community            text NOT NULL REFERENCES communities (code),
    unit                 text NOT NULL,
    debt_limit           bigint NOT NULL CHECK (debt_limit >= 0),
    max_balance          bigint CHECK (max_balance > 0),
    community_debt_limit bigint NOT NULL DEFAULT 0 CHECK (community_debt_limit >= 0),
    PRIMARY KEY (community, unit)
);

CREATE TABLE members (
    id            uuid PRIMARY KEY,
    community     text NOT NULL REFERENCES communities (code),
    kind          text NOT NULL CHECK (kind IN ('resident', 'organisation')),
    name          text NOT NULL,
    neighbourhood text NOT NULL,
    languages     text[] NOT NULL,
    skills        text[] NOT NULL,
    email         text,
    phone         text,
    state         text NOT NULL CHECK (state IN ('applied', 'active', 'suspended', 'left')),
    needs_vog     boolean NOT NULL DEFAULT false,
    vog_seen_on   date,
    vog_recorded_by text,
    registered_by text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX members_community ON members (community, state);

-- One account per member and unit, and one community pot (member_id NULL) per unit.
-- The running totals are kept with the journal in one transaction; check-ledger recomputes them.
CREATE TABLE accounts (
    id              uuid PRIMARY KEY,
    community       text NOT NULL REFERENCES communities (code),
    unit            text NOT NULL,
    member_id       uuid REFERENCES members (id),
    debt_limit      bigint NOT NULL CHECK (debt_limit >= 0),
    max_balance     bigint CHECK (max_balance > 0),
    limits_overridden boolean NOT NULL DEFAULT false,
    debits_posted   bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_posted  bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_pending  bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    FOREIGN KEY (community, unit) REFERENCES community_units (community, unit)
);
CREATE UNIQUE INDEX accounts_member_unit ON accounts (member_id, unit) WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_pot ON accounts (community, unit) WHERE member_id IS NULL;

-- The journal: insert-only. A pending row reserves; a posted row moves (directly, or by
-- posting a pending row named in pending_id); a void row releases a pending row.
CREATE TABLE transfers (
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                uuid PRIMARY KEY,
    community         text NOT NULL,
    unit              text NOT NULL,
    debit_account_id  uuid NOT NULL REFERENCES accounts (id),
    credit_account_id uuid NOT NULL REFERENCES accounts (id),
    amount            bigint NOT NULL CHECK (amount > 0),
    phase             text NOT NULL CHECK (phase IN ('pending', 'posted', 'void')),
    kind              text NOT NULL CHECK (kind IN ('exchange', 'donation', 'award', 'reversal')),
    pending_id        uuid REFERENCES transfers (id),
    reverses_id       uuid REFERENCES transfers (id),
    exchange_id       uuid,
    category          text,
    neighbourhood     text,
    note              text,
    recorded_by       text,
    recorded_by_coordinator boolean NOT NULL DEFAULT false,
    at                timestamptz NOT NULL DEFAULT now(),
    CHECK (debit_account_id <> credit_account_id),
    CHECK (phase <> 'void' OR pending_id IS NOT NULL),
    CHECK (phase <> 'pending' OR pending_id IS NULL)
);
-- A pending transfer is posted or voided once, never twice: even a bug upstream cannot.
CREATE UNIQUE INDEX transfers_resolved_once ON transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE INDEX transfers_debit ON transfers (debit_account_id, seq);
CREATE INDEX transfers_credit ON transfers (credit_account_id, seq);
CREATE INDEX transfers_reverses ON transfers (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX transfers_stats ON transfers (community, unit, at) WHERE phase = 'posted';

CREATE FUNCTION transfers_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transfers are immutable: correct a mistake with a reversing transfer';
END $$;
CREATE TRIGGER transfers_immutable BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION transfers_are_immutable();

CREATE TABLE listings (
    id            uuid PRIMARY KEY,
    community     text NOT NULL REFERENCES communities (code),
    member_id     uuid NOT NULL REFERENCES members (id),
    kind          text NOT NULL CHECK (kind IN ('offer', 'request')),
    title         text NOT NULL,
    description   text NOT NULL,
    category      text NOT NULL,
    neighbourhood text NOT NULL,
    initiative_id uuid,
    expires_at    timestamptz NOT NULL,
    state         text NOT NULL CHECK (state IN ('open', 'closed', 'expired')),
    published_at  timestamptz NOT NULL DEFAULT now(),
    search        tsvector GENERATED ALWAYS AS (
        to_tsvector('dutch', title || ' ' || description)
    ) STORED
);
CREATE INDEX listings_search ON listings USING gin (search);
CREATE INDEX listings_open ON listings (community, state, expires_at);

CREATE TABLE exchanges (
    id                   uuid PRIMARY KEY,
    community            text NOT NULL REFERENCES communities (code),
    unit                 text NOT NULL,
    provider_id          uuid NOT NULL REFERENCES members (id),
    receiver_id          uuid NOT NULL REFERENCES members (id),
    amount               bigint NOT NULL CHECK (amount > 0),
    recorded_amount      bigint CHECK (recorded_amount > 0),
    description          text NOT NULL,
    category             text,
    listing_id           uuid REFERENCES listings (id),
    initiative_id        uuid,
    proposed_by          uuid,
    state                text NOT NULL CHECK (state IN
                           ('proposed', 'agreed', 'confirmed', 'cancelled', 'disputed', 'resolved')),
    pending_transfer_id  uuid REFERENCES transfers (id),
    transfer_id          uuid REFERENCES transfers (id),
    confirm_by           timestamptz,
    recorded_by_coordinator text,
    confirmed_by         text,
    disputed_from        text,
    disputed_by          uuid,
    provider_kind        text NOT NULL,
    provider_neighbourhood text NOT NULL,
    receiver_kind        text NOT NULL,
    receiver_neighbourhood text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (provider_id <> receiver_id)
);
CREATE INDEX exchanges_due ON exchanges (confirm_by) WHERE state = 'agreed';
CREATE INDEX exchanges_provider ON exchanges (provider_id);
CREATE INDEX exchanges_receiver ON exchanges (receiver_id);
