"""Object3DView: the 3-D objects runs logged, point clouds turned with the mouse in the cell.

    run.log({"lidar": wbnb.Object3D(points)})   # (N, 3) xyz, (N, 4) + category, (N, 6) + rgb
    from wbnb.widgets import Object3DView
    Object3DView(run)                 # drag: turn, wheel: zoom, double-click: back to the first view

A .obj, .gltf or .glb model is drawn as its vertices.

``contract.py`` (the wire and the drawing's constants), ``points.py`` (a record's
points, thinned), ``projection.py`` (the view the picture shares with the page),
``widget.py``, ``picture.py``; the page is ``js/object3d/``.
"""

from .widget import Object3DView

__all__ = ["Object3DView"]
