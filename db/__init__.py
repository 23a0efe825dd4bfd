"""Storage: typed models, engine/session factory, Alembic migrations. No Qt, no business rules."""
