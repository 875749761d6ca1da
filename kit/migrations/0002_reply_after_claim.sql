-- A command's id is claimed before its handler runs and its reply stored at the end of the
-- same transaction, so for a moment inside that transaction the reply is not there yet.
ALTER TABLE processed_commands ALTER COLUMN reply DROP NOT NULL;
ALTER TABLE processed_commands ALTER COLUMN ok DROP NOT NULL;
