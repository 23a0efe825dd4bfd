"""Alliance Desk core: rule packs and engine, exchange format, store services, CLI. No Qt here."""

__version__ = "0.1.0"
