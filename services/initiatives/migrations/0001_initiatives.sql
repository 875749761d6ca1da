-- The initiatives service: applications and their history, reviews, meetings, decisions,
-- discretionary use, volunteer minutes, and what it keeps of the budget service's funds and
-- rounds. Money in cents (bigint), hours in minutes, times in UTC (timestamptz).

-- The budget service's funds and earmarks, as their events said at the highest revision seen.
CREATE TABLE funds (
    fund_id      uuid PRIMARY KEY,
    revision     bigint NOT NULL,
    name         text NOT NULL,
    year         integer NOT NULL,
    time_zone    text NOT NULL
);

CREATE TABLE earmarks (
    earmark_id      uuid PRIMARY KEY,
    fund_id         uuid NOT NULL REFERENCES funds,
    name            text NOT NULL,
    neighbourhood   text,
    rules           jsonb NOT NULL,
    revision        bigint NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    amount          bigint NOT NULL,
    amount_revision bigint NOT NULL
);

CREATE TABLE rounds (
    round_id      uuid PRIMARY KEY,
    neighbourhood text NOT NULL,
    closes_at     timestamptz NOT NULL,
    closed        boolean NOT NULL DEFAULT false
);

CREATE TABLE applications (
    application_id     uuid PRIMARY KEY,
    applicant_id       text NOT NULL,
    applicant_kind     text NOT NULL CHECK (applicant_kind IN ('resident', 'organisation')),
    applicant_name     text NOT NULL,
    state              text NOT NULL,
    form               jsonb NOT NULL,
    -- copied from the form for the queries
    fund_id            uuid NOT NULL,
    earmark_id         uuid NOT NULL,
    neighbourhood      text NOT NULL,
    title              text NOT NULL,
    requested          bigint NOT NULL,
    expected_participants bigint NOT NULL DEFAULT 0,
    -- screening
    fund_year          integer,
    rules_revision     bigint,
    submitted_at       timestamptz,
    -- the decision
    decided_by         text CHECK (decided_by IN ('ballot', 'reviewers', 'discretionary')),
    decision_id        uuid,
    decided_amount     bigint,
    decision_reasons   text,
    limit_period       text,
    granted_by         text,
    round_id           uuid,
    ballot_round_id    uuid,
    -- the budget service's commitment and what became of it
    allocation_id      uuid,
    granted            bigint,
    granted_at         timestamptz,
    votes              integer,
    paid               bigint NOT NULL DEFAULT 0,
    paid_at            timestamptz,
    spent              bigint,
    returned           bigint,
    -- the report
    report_no          integer NOT NULL DEFAULT 0,
    report             jsonb,
    report_accepted_at timestamptz,
    closed_outcome     text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_applicant ON applications (applicant_id);
CREATE INDEX applications_queue ON applications (neighbourhood, state, updated_at);
CREATE INDEX applications_granted ON applications (fund_year, neighbourhood) WHERE granted IS NOT NULL;

-- Every change: what, the state after it, who (and for whom), when, why.
CREATE TABLE history (
    application_id uuid NOT NULL REFERENCES applications,
    seq            integer NOT NULL,
    at             timestamptz NOT NULL,
    action         text NOT NULL,
    state          text NOT NULL,
    actor_role     text NOT NULL,
    actor_id       text NOT NULL,
    on_behalf_of   text,
    note           text,
    PRIMARY KEY (application_id, seq)
);

CREATE TABLE meetings (
    meeting_id    uuid PRIMARY KEY,
    neighbourhood text NOT NULL,
    name          text NOT NULL,
    held_on       date NOT NULL,
    participants  text[] NOT NULL,
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now()
);

-- One review per reviewer per application; recording again replaces it.
CREATE TABLE reviews (
    review_id      uuid PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications,
    reviewer_id    text NOT NULL,
    meeting_id     uuid REFERENCES meetings,
    assessments    jsonb NOT NULL,
    advice         text NOT NULL,
    advised_amount bigint,
    note           text,
    recorded_at    timestamptz NOT NULL,
    UNIQUE (application_id, reviewer_id)
);

-- Decisions as published (decision.taken), in order.
CREATE TABLE decisions (
    decision_id    uuid PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications,
    decided_at     timestamptz NOT NULL,
    payload        jsonb NOT NULL
);
CREATE INDEX decisions_application ON decisions (application_id, decided_at);

-- A wijkmanager's discretionary use per earmark and period: the row every grant of that
-- manager in that period locks, so concurrent grants never pass the limit together.
CREATE TABLE discretionary_use (
    manager_id text NOT NULL,
    earmark_id uuid NOT NULL,
    period     text NOT NULL,
    used       bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (manager_id, earmark_id, period)
);

CREATE TABLE discretionary_grants (
    decision_id    uuid PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications,
    manager_id     text NOT NULL,
    earmark_id     uuid NOT NULL,
    period         text NOT NULL,
    amount         bigint NOT NULL CHECK (amount > 0),
    released       boolean NOT NULL DEFAULT false
);

-- Volunteer minutes from the time bank, one row per transfer (a reversal is negative). No
-- foreign key: a transfer may name an initiative before its application is known here; the
-- tally counts it as soon as it is.
CREATE TABLE volunteer_minutes (
    transfer_id   uuid PRIMARY KEY,
    initiative_id uuid NOT NULL,
    member_id     uuid NOT NULL,
    minutes       bigint NOT NULL
);
CREATE INDEX volunteer_minutes_initiative ON volunteer_minutes (initiative_id, member_id);

-- Events that arrived before what they follow; tried again whenever their application
-- changes, deleted in the transaction that applies them.
CREATE TABLE parked_events (
    event_id       uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    type           text NOT NULL,
    version        integer NOT NULL,
    occurred_at    timestamptz NOT NULL,
    payload        bytea NOT NULL,
    reason         text NOT NULL,
    parked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_events_application ON parked_events (application_id, occurred_at);
