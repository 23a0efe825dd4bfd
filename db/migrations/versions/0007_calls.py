"""calls opened by the office (notice, dates, closed, pack version) and pack versions (issue 17)

Revision ID: 0007
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_CALL_COLUMNS = (
    ("year", sa.Integer()), ("doc_no", sa.Text()), ("doc_date", sa.Date()), ("county_deadline", sa.DateTime()),
    ("publicity_on", sa.Date()), ("decision_on", sa.Date()), ("pack_version", sa.String(length=64)),
)


def upgrade() -> None:
    # Existing calls keep every value; the new columns are NULL (unknown) and `closed` false, and a
    # NULL pack_version means the shipped pack: every stored verdict stays what it was.
    with op.batch_alter_table("calls", schema=None) as batch_op:
        for name, type_ in _CALL_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "pack_versions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("base_text", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pack_versions", schema=None) as batch_op:
        batch_op.create_index("ix_pack_versions_region", ["region"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pack_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_pack_versions_region")
    op.drop_table("pack_versions")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("closed")
        for name, _ in reversed(_CALL_COLUMNS):
            batch_op.drop_column(name)
