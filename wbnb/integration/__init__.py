"""Framework integrations: Keras, Lightning, transformers, scikit-learn.

Each submodule imports its framework, so ``import wbnb`` imports none of them: they load
when first reached (``wbnb.sklearn``, ``wbnb.keras`` or ``import wbnb.integration.lightning``).
"""
