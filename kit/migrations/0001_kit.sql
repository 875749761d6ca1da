-- The service kit's own tables: outbox, inbox and processed commands.

-- Events waiting to be published. A row is written in the same transaction as the state it
-- describes; the relay leases rows, publishes, and deletes them only while holding the lease.
CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    subject      text NOT NULL,
    headers      jsonb NOT NULL DEFAULT '{}'::jsonb,
    payload      bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    lease_token  uuid,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text
);
CREATE INDEX outbox_available ON outbox (available_at, id);

-- A wake-up for the relay, sent at commit; polling stays the truth.
CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_wake AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake();

-- Events a consumer has handled, recorded in the same transaction as their effects.
CREATE TABLE inbox (
    consumer   text NOT NULL,
    event_id   uuid NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Commands already answered: a repeated command_id gets the first reply and no second effect.
CREATE TABLE processed_commands (
    command_id   uuid PRIMARY KEY,
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    reply        bytea NOT NULL,
    ok           boolean NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
