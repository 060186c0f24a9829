"""Framework integrations: Keras, Lightning, transformers, scikit-learn.

Each submodule imports its framework, so ``import wbnb`` imports none of them: they load
when first reached, as an attribute (``wbnb.integration.lightning``, ``wbnb.sklearn``,
``wbnb.keras``) or by ``import wbnb.integration.transformers``.
"""

from importlib import import_module
from types import ModuleType

_SUBMODULES = ("keras", "lightning", "sklearn", "transformers")


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    raise AttributeError(f"module 'wbnb.integration' has no attribute {name!r}")
