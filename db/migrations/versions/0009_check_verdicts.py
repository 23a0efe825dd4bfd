"""stored check verdicts (checking all re-judges only what changed) and indexes for the list and that check

Revision ID: 0009
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing applications simply have no verdict yet: the next check judges them once.
    op.create_table(
        "check_verdicts",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("app_version", sa.Integer(), nullable=False),
        sa.Column("pack_digest", sa.String(length=64), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("n_fail", sa.Integer(), nullable=False),
        sa.Column("n_warn", sa.Integer(), nullable=False),
        sa.Column("n_manual", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("application_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "check_verdict_items",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("application_id"),
    )
    op.create_index("ix_applications_check", "applications", ["region", "call_id", "version", "id"])
    op.create_index("ix_applications_list_order", "applications", [sa.text("submitted_at DESC"), "name"])


def downgrade() -> None:
    op.drop_index("ix_applications_list_order", table_name="applications")
    op.drop_index("ix_applications_check", table_name="applications")
    op.drop_table("check_verdict_items")
    op.drop_table("check_verdicts")
