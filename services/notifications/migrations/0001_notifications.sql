-- Notifications: how people are reached (a projection of the time bank's member events, and
-- staff who gave their address), what they want, their messages (the inbox and the e-mail send
-- queue in one table, one row per event, recipient and channel), and exchange reminders.

CREATE TABLE contacts (
    person_id  text PRIMARY KEY,
    role       text NOT NULL DEFAULT 'member',
    community  text,
    scopes     text[] NOT NULL DEFAULT '{}',
    name       text,
    email      text,
    language   text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    online     boolean NOT NULL DEFAULT true,
    stand_in   text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_staff ON contacts (role) WHERE role <> 'member';

CREATE TABLE preferences (
    person_id      text PRIMARY KEY,
    off            text[] NOT NULL DEFAULT '{}',  -- '<kind>/<channel>' switched off
    digest         boolean NOT NULL DEFAULT false,
    time_zone      text NOT NULL DEFAULT 'Europe/Amsterdam',
    digest_hour    smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    last_digest_on date,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The dedup key is (event_id, recipient, channel): a redelivered event, a second replica or a
-- restart can never make a second row, so never a second message.
-- E-mail states: queued (due at next_attempt_at; a claim pushes that to the lease's end),
-- held (for the daily digest), digested (sent inside digest_id), sent, failed (given up; an
-- operator may queue it again). Inbox rows are in state 'inbox'.
CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL,
    recipient       text NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('email', 'inbox')),
    deliver_to      text NOT NULL,
    kind            text NOT NULL,
    language        text NOT NULL CHECK (language IN ('nl', 'en')),
    params          jsonb NOT NULL,
    state           text NOT NULL
        CHECK (state IN ('inbox', 'queued', 'held', 'digested', 'sent', 'failed')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     uuid,
    last_error      text,
    sent_at         timestamptz,
    digest_id       uuid,
    CONSTRAINT messages_once UNIQUE (event_id, recipient, channel)
);
CREATE INDEX messages_send_queue ON messages (next_attempt_at) WHERE state = 'queued';
CREATE INDEX messages_inbox ON messages (deliver_to, id DESC) WHERE channel = 'inbox';
CREATE INDEX messages_held ON messages (deliver_to) WHERE state = 'held';
CREATE INDEX messages_failed ON messages (id) WHERE state = 'failed';
CREATE INDEX messages_digest ON messages (digest_id) WHERE digest_id IS NOT NULL;
CREATE INDEX messages_age ON messages USING brin (created_at);

-- An agreed exchange confirms itself at confirm_by; both sides hear of it at due_at.
CREATE TABLE reminders (
    exchange_id uuid PRIMARY KEY,
    due_at      timestamptz NOT NULL,
    confirm_by  timestamptz NOT NULL,
    community   text NOT NULL,
    unit        text NOT NULL,
    amount      bigint NOT NULL,
    provider    text NOT NULL,
    receiver    text NOT NULL
);
CREATE INDEX reminders_due ON reminders (due_at);

-- Exchanges that were confirmed, cancelled, disputed or resolved: an `agreed` that arrives
-- after one of these (redelivery reorders) schedules no reminder.
CREATE TABLE closed_exchanges (
    exchange_id uuid PRIMARY KEY,
    closed_at   timestamptz NOT NULL DEFAULT now()
);
