-- The relay's lease is now the row lock of the transaction that publishes and deletes: no
-- lease column is written any more.
ALTER TABLE outbox DROP COLUMN lease_token;
