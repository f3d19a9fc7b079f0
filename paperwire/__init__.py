"""paperwire: a self-hosted daily-papers hub."""

__version__ = "0.1.0"
