"""``ArtifactBrowser``: an artifact collection's versions, aliases, sizes, lineage and files.

from wbnb.widgets import ArtifactBrowser
ArtifactBrowser("mnist/checkpoints")        # click a version: who logged it, who used it, its files
"""

from .widget import ArtifactBrowser

__all__ = ["ArtifactBrowser"]
