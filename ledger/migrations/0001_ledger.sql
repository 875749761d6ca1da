-- The ledger component: accounts and the insert-only journal of transfers (TigerBeetle's
-- model). Every total and limit is at most 2^61 = 2305843009213693952 (contracts/ledger.py),
-- so a balance, what an account may still spend and every running balance fit a bigint.

CREATE TABLE ledger_accounts (
    id              uuid PRIMARY KEY,
    ledger          text NOT NULL,
    unit            text NOT NULL,
    owner           uuid,
    debt_limit      bigint NOT NULL CHECK (debt_limit BETWEEN 0 AND 2305843009213693952),
    max_balance     bigint CHECK (max_balance BETWEEN 1 AND 2305843009213693952),
    own_limits      boolean NOT NULL DEFAULT false,
    debits_posted   bigint NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
    credits_posted  bigint NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
    debits_pending  bigint NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
    credits_pending bigint NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
    opened_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (debits_posted + debits_pending <= 2305843009213693952),
    CHECK (credits_posted + credits_pending <= 2305843009213693952)
);
-- One account per owner, ledger and unit; one ownerless account (a pot) per ledger and unit.
CREATE UNIQUE INDEX ledger_accounts_owner ON ledger_accounts (owner, unit, ledger)
    WHERE owner IS NOT NULL;
CREATE UNIQUE INDEX ledger_accounts_own ON ledger_accounts (ledger, unit) WHERE owner IS NULL;

-- A pending row reserves; a posted row moves (directly, or by posting a pending row named in
-- pending_id); a void row releases a pending row; a reversal names what it corrects.
CREATE TABLE ledger_transfers (
    seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                uuid PRIMARY KEY,
    ledger            text NOT NULL,
    unit              text NOT NULL,
    debit_account_id  uuid NOT NULL REFERENCES ledger_accounts (id),
    credit_account_id uuid NOT NULL REFERENCES ledger_accounts (id),
    amount            bigint NOT NULL CHECK (amount > 0),
    phase             text NOT NULL CHECK (phase IN ('pending', 'posted', 'void')),
    kind              text NOT NULL,
    pending_id        uuid REFERENCES ledger_transfers (id),
    reverses_id       uuid REFERENCES ledger_transfers (id),
    ref               uuid,
    note              text,
    recorded_by       text,
    at                timestamptz NOT NULL DEFAULT now(),
    CHECK (debit_account_id <> credit_account_id),
    CHECK (phase <> 'void' OR pending_id IS NOT NULL),
    CHECK (phase <> 'pending' OR pending_id IS NULL)
);
-- A pending transfer is posted or voided once, never twice: even a bug upstream cannot.
CREATE UNIQUE INDEX ledger_transfers_resolved_once ON ledger_transfers (pending_id)
    WHERE pending_id IS NOT NULL;
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, seq);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, seq);
CREATE INDEX ledger_transfers_reverses ON ledger_transfers (reverses_id)
    WHERE reverses_id IS NOT NULL;
CREATE INDEX ledger_transfers_posted ON ledger_transfers (ledger, unit, at)
    WHERE phase = 'posted';

CREATE FUNCTION ledger_transfers_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'transfers are immutable: correct a mistake with a reversing transfer';
END $$;
CREATE TRIGGER ledger_transfers_immutable BEFORE UPDATE OR DELETE ON ledger_transfers
    FOR EACH ROW EXECUTE FUNCTION ledger_transfers_are_immutable();
