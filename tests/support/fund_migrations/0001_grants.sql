-- A grant is committed (a pending transfer on the ledger reserves its cents) and then paid
-- (the pending transfer is posted, for as much as was spent).
CREATE TABLE grants (
    id                  uuid PRIMARY KEY,
    fund                text NOT NULL,
    initiative_id       uuid NOT NULL,
    amount              bigint NOT NULL CHECK (amount > 0),
    state               text NOT NULL CHECK (state IN ('committed', 'paid')),
    pending_transfer_id uuid NOT NULL REFERENCES ledger_transfers (id),
    paid_transfer_id    uuid REFERENCES ledger_transfers (id)
);
