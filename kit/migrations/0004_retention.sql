-- The retention sweep finds old rows by time. Both columns grow with insertion order, which is
-- what a BRIN index suits: a few pages, and next to no cost on the hot path.
CREATE INDEX processed_commands_created ON processed_commands USING brin (created_at);
CREATE INDEX inbox_handled ON inbox USING brin (handled_at);
