"""The installed wbnb version, in a module of its own so that the server can report it
without importing the tracker."""

__version__ = "0.1.0"
