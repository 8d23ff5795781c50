"""Pure domain of the estimator: Chinese copyright law, court fees, interest and the award model.

Nothing here imports a web framework or a database driver; `tests/test_architecture.py` enforces it.
"""

__version__ = "0.1.0"
