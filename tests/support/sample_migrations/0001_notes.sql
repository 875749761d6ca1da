CREATE TABLE notes (
    note_id uuid PRIMARY KEY,
    text text NOT NULL,
    amount bigint NOT NULL
);
CREATE TABLE tally (total bigint NOT NULL, seen bigint NOT NULL);
INSERT INTO tally VALUES (0, 0);
