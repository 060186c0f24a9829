"""Tests of `wbnb server`, run as a real process (serverproc.py)."""
