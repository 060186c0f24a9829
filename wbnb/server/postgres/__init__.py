"""The PostgreSQL home of ``wbnb server``: runs, metric rows, records and API keys in
one database that several server processes share. Media stay content-addressed files
below ``--root`` (``MediaStore``), as in the folder backend.

Schema (``schema.sql``, shipped in the package; created on first connect, under an
advisory lock so that two servers starting at once do not race on ``CREATE TABLE IF NOT
EXISTS``)::

    wbnb_keys     key_id PK, entity, name, secret_hash, created_at, revoked
    wbnb_runs     id (surrogate), entity, project, run_id, meta,
                  n_history, n_system, n_events, n_console        PK (entity, project, run_id)
    wbnb_keysets  run, ki, keys (a JSON list of key names)        PK (run, ki), UNIQUE (run, md5(keys))
    wbnb_rows     run, stream, idx, step, ts, rt, ki, vals        PK (run, stream, idx)
    wbnb_records  run, stream, idx, data                          PK (run, stream, idx)
    art_*         the artifact catalog's tables (``store/catalog/dialect.py``), by entity
    sweeps, sweep_trials, sweep_rungs  the sweep book's tables (``sweeps/sql.py``), by entity

Why it looks like this:

- Metadata, row values and records are JSON *text*, written by Python's ``json``: jsonb
  refuses NaN and ±Infinity (a diverged loss, its summary), reorders keys, and costs a
  parse on every insert. The server only ever hands these back whole.
- A row names its key tuple by ``ki``, an index into the run's ``wbnb_keysets``, as the
  wire format does per chunk: the names are stored once per run, not once per row.
- ``stream`` is a small integer (``STREAMS.index``): it sits in every primary key.
- The counts live in the run's row and change in the same transaction as the data
  (``ingest.py`` says how that makes ingest exactly-once across server processes).

The modules: ``database.py`` (the connections, every wait bounded), ``known.py`` (what a
process remembers of runs), ``runs.py`` (a run's row), ``ingest.py`` (a batch),
``reads.py`` (``PostgresStore``, the read side), ``catalog.py`` (the artifact catalog:
``SqlCatalog`` over this database), ``backend.py`` (``PostgresBackend`` over them, with
the keys and media).
"""

from .backend import PostgresBackend

__all__ = ["PostgresBackend"]
