"""System: the system metrics of runs (CPU, memory, GPU, disk, network), live; ``Curves``
over the run's system stream, with Curves' front end and contract (see ``widget.py``).

    from wbnb.widgets import System
    System(run)                        # every system/* metric, in sections
"""

from .widget import System, SystemSource, display_key

__all__ = ["System", "SystemSource", "display_key"]
