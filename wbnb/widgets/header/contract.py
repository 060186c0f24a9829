"""The RunHeader's contract: its one trait, ``value`` (``widget.py``: the header as markup
built from escaped strings, ``text.py``); no messages cross the wire."""
