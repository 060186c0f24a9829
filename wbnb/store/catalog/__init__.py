"""The artifact catalog: versions of artifacts by content, their aliases, registry links
and lineage edges (``base.py``), and the bytes of their files stored once by digest.
``records.py`` holds the shapes every home shares; ``sql.py`` is the catalog over SQL
(``dialect.py``: the schema; ``sqlite.py``: a local store's file), ``blobs.py`` the files."""
