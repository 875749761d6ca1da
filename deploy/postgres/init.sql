-- Runs once, when the postgres container starts on an empty data volume
-- (/docker-entrypoint-initdb.d). One database per service: services share no tables.
-- The role `voorelkaar` is created by the image from POSTGRES_USER / POSTGRES_PASSWORD
-- and owns every database; each service creates its own tables on start (migrations).
--
-- After the first start, edits here have no effect: create a new database by hand
-- (CREATE DATABASE voorelkaar_<service> OWNER voorelkaar;) or start from an empty volume.

CREATE DATABASE voorelkaar_timebank OWNER voorelkaar;
CREATE DATABASE voorelkaar_initiatives OWNER voorelkaar;
CREATE DATABASE voorelkaar_budget OWNER voorelkaar;
CREATE DATABASE voorelkaar_notifications OWNER voorelkaar;
