"""Notebook integration: ``%load_ext wbnb`` (magics) and the IPython hooks that keep a
cell's exception or interrupt with the open runs."""

from .magics import load_ipython_extension

__all__ = ["load_ipython_extension"]
