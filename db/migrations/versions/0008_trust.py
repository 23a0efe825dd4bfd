"""trust: application owners, exchange marks and counters, applications anchored to the audit trail

Revision ID: 0008
Revises: 0005

Existing data is kept: every application gets one audit row ("anchor", its whole current document)
so that its anchor and the content check of `audit verify` hold from now on; owners and the newest
accepted package per sender and scope are taken from the trail's earlier package imports.
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Created only where absent: like the audit trail, owners and marks are records a downgrade
    # keeps, and upgrading again adopts them.
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    columns = {c["name"] for c in sa.inspect(bind).get_columns("applications")}
    if "audit_id" not in columns:
        with op.batch_alter_table("applications", schema=None) as batch_op:
            batch_op.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("audit_hash", sa.String(length=64), nullable=True))
    if "application_owners" not in existing:
        op.create_table(
            "application_owners",
            sa.Column("application_id", sa.String(length=36), nullable=False),
            sa.Column("fingerprint", sa.String(length=64), nullable=False),
            sa.Column("office", sa.Text(), nullable=False),
            sa.Column("sequence", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.String(length=40), nullable=True),
            sa.Column("package_sha256", sa.String(length=64), nullable=True),
            sa.Column("since", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("application_id"),
        )
    if "exchange_marks" not in existing:
        op.create_table(
            "exchange_marks",
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("fingerprint", sa.String(length=64), nullable=False),
            sa.Column("scope", sa.String(length=300), nullable=False),
            sa.Column("sequence", sa.Integer(), nullable=True),
            sa.Column("created_at", sa.String(length=40), nullable=True),
            sa.Column("sha256", sa.String(length=64), nullable=False),
            sa.Column("accepted_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("kind", "fingerprint", "scope"),
        )
    if "exchange_counters" not in existing:
        op.create_table(
            "exchange_counters",
            sa.Column("scope", sa.String(length=300), nullable=False),
            sa.Column("last_sequence", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("scope"),
        )
    from sqlalchemy.orm import Session

    from alliance_desk.store import trust

    session = Session(bind=bind)
    trust.adopt_existing(session)
    session.flush()


def downgrade() -> None:
    # Deliberately empty, as for the audit trail (0005): owners, marks and anchors are records; the
    # older schema ignores them and `upgrade` adopts them again.
    pass
