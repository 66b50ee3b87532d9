"""OA-Flow: cross-department process automation."""

__version__ = "0.1.0"
