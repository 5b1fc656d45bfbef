"""Implementations of the core's ports: in-memory fakes, SQLAlchemy, and a fail-safe wrapper."""
