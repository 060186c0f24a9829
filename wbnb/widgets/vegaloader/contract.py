"""The VegaLoader's contract: its traits only (``widget.py``); it sends no messages."""
