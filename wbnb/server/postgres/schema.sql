-- The schema of the PostgreSQL backend (server/postgres/), run by every server
-- starting (database.py), under an advisory lock: every statement must be safe to repeat.
CREATE TABLE IF NOT EXISTS wbnb_keys (
    key_id      text PRIMARY KEY,
    entity      text NOT NULL,
    name        text NOT NULL,
    secret_hash text NOT NULL,
    created_at  double precision NOT NULL,
    revoked     boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS wbnb_runs (
    id        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    entity    text NOT NULL,
    project   text NOT NULL,
    run_id    text NOT NULL,
    meta      text NOT NULL,
    n_history bigint NOT NULL DEFAULT 0,
    n_system  bigint NOT NULL DEFAULT 0,
    n_events  bigint NOT NULL DEFAULT 0,
    n_console bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (entity, project, run_id)
);
CREATE TABLE IF NOT EXISTS wbnb_keysets (
    run  bigint NOT NULL,
    ki   integer NOT NULL,
    keys text NOT NULL,
    PRIMARY KEY (run, ki)
);
CREATE UNIQUE INDEX IF NOT EXISTS wbnb_keysets_keys ON wbnb_keysets (run, md5(keys));
CREATE TABLE IF NOT EXISTS wbnb_rows (
    run    bigint NOT NULL,
    stream smallint NOT NULL,
    idx    bigint NOT NULL,
    step   bigint NOT NULL,
    ts     double precision NOT NULL,
    rt     double precision NOT NULL,
    ki     integer NOT NULL,
    vals   text NOT NULL,
    PRIMARY KEY (run, stream, idx)
);
CREATE TABLE IF NOT EXISTS wbnb_records (
    run    bigint NOT NULL,
    stream smallint NOT NULL,
    idx    bigint NOT NULL,
    data   text NOT NULL,
    PRIMARY KEY (run, stream, idx)
);
