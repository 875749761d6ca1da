-- The hour ledger moves onto the shared ledger component (ledger/migrations, applied before
-- this): accounts and transfers keep their ids and the journal its entry numbers (statement
-- cursors stay valid). What only the time bank needs stays here: which accounts have limits of
-- their own, and the facts its statistics group transfers by.

INSERT INTO ledger_accounts (id, ledger, unit, owner, debt_limit, max_balance, own_limits,
                             debits_posted, credits_posted, debits_pending, credits_pending)
SELECT id, community, unit, member_id, debt_limit, max_balance, limits_overridden,
       debits_posted, credits_posted, debits_pending, credits_pending
FROM accounts;

INSERT INTO ledger_transfers (seq, id, ledger, unit, debit_account_id, credit_account_id, amount,
                              phase, kind, pending_id, reverses_id, ref, note, recorded_by, at)
OVERRIDING SYSTEM VALUE
SELECT seq, id, community, unit, debit_account_id, credit_account_id, amount, phase, kind,
       pending_id, reverses_id, exchange_id, note, recorded_by, at
FROM transfers ORDER BY seq;
SELECT setval(pg_get_serial_sequence('ledger_transfers', 'seq'), coalesce(max(seq), 0) + 1, false)
FROM ledger_transfers;

-- Beside each transfer: what the help was (category), where it was given (the provider's
-- neighbourhood), and whether a coordinator recorded it. Written with the transfer, in the
-- same statement.
CREATE TABLE transfer_facts (
    transfer_id             uuid PRIMARY KEY,
    category                text,
    neighbourhood           text,
    recorded_by_coordinator boolean NOT NULL DEFAULT false
);
INSERT INTO transfer_facts (transfer_id, category, neighbourhood, recorded_by_coordinator)
SELECT id, category, neighbourhood, recorded_by_coordinator FROM transfers;

ALTER TABLE exchanges
    DROP CONSTRAINT exchanges_pending_transfer_id_fkey,
    DROP CONSTRAINT exchanges_transfer_id_fkey,
    ADD FOREIGN KEY (pending_transfer_id) REFERENCES ledger_transfers (id),
    ADD FOREIGN KEY (transfer_id) REFERENCES ledger_transfers (id);

DROP TABLE transfers;
DROP FUNCTION transfers_are_immutable();
DROP TABLE accounts;
