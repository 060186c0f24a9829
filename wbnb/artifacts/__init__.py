"""Artifacts as users see them: ``Artifact`` (files, directories, references and
objects, versioned by content), downloading and verifying them, and their lineage. What
is kept, and where, is the catalog's (``wbnb/store/catalog``)."""
