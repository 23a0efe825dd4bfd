"""PySide6 desktop user interface. Calls the services in `alliance_desk/`; no SQL and no rules here."""
