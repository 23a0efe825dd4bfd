"""facts the clause register needs: provincial recognition date, sealing by all members, mechanisms

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_APPLICATION_COLUMNS = (
    ("provincial_recognized_on", sa.Date()),   # 002 § 第十三条
    ("materials_sealed_by_all", sa.Boolean()),  # 004 § 三(一)
)
_SYSTEM_COLUMNS = ("operation_mechanism", "management_mechanism", "collaborative_innovation")  # 004 § 一(一)3, 5


def upgrade() -> None:
    # Nullable columns only: existing applications keep every value and read the new facts as absent,
    # which the rules report as a missing fact. Plain ADD/DROP COLUMN, never a batch table copy: on
    # SQLite a copy drops the old `applications` table, whose ON DELETE CASCADE would empty its children.
    for name, type_ in _APPLICATION_COLUMNS:
        op.add_column("applications", sa.Column(name, type_, nullable=True))
    for name in _SYSTEM_COLUMNS:
        op.add_column("systems", sa.Column(name, sa.Boolean(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ and PostgreSQL both drop a plain column in place
    for name in reversed(_SYSTEM_COLUMNS):
        op.execute(f"ALTER TABLE systems DROP COLUMN {name}")
    for name, _ in reversed(_APPLICATION_COLUMNS):
        op.execute(f"ALTER TABLE applications DROP COLUMN {name}")
