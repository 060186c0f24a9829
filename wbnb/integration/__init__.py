"""Framework integrations (Keras, Lightning, transformers, scikit-learn).

Each submodule imports its framework; ``import wbnb`` imports none of them.
"""
