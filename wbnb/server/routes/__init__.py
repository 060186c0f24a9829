"""The endpoints under ``/api/v1``, one ``APIRouter`` per resource, over the dependencies in
``deps.py``; ``create_app`` (``server/app.py``) includes them."""
