"""Framework integrations: scikit-learn (``wbnb.sklearn``), and the others as they come.

Each subpackage imports its framework, so none is imported by ``import wbnb``: they load
when first reached (``wbnb.sklearn`` or ``import wbnb.integration.sklearn``).
"""
