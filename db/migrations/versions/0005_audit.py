"""audit trail: append-only, hash-chained audit_log and its head (issue 7)

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_PG_TRIGGER = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)


def upgrade() -> None:
    # Tables of db/models_audit.py. Created only where absent: the audit trail is a legal record and
    # `downgrade` keeps it, so upgrading again finds it in place and carries on appending.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "audit_log" not in existing:
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("at", sa.String(length=40), nullable=False),
            sa.Column("actor", sa.Text(), nullable=False),
            sa.Column("action", sa.String(length=32), nullable=False),
            sa.Column("entity", sa.String(length=32), nullable=False),
            sa.Column("entity_id", sa.Text(), nullable=False),
            sa.Column("application_id", sa.String(length=36), nullable=True),
            sa.Column("before", sa.Text(), nullable=True),
            sa.Column("after", sa.Text(), nullable=True),
            sa.Column("prev_hash", sa.String(length=64), nullable=False),
            sa.Column("hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("prev_hash"),
        )
        with op.batch_alter_table("audit_log", schema=None) as batch_op:
            batch_op.create_index("ix_audit_log_application", ["application_id", "id"], unique=False)
        dialect = op.get_bind().dialect.name
        if dialect == "sqlite":
            for sql in _SQLITE_TRIGGERS:
                op.execute(sql)
        elif dialect == "postgresql":
            for sql in _PG_TRIGGER:
                op.execute(sql)
    if "audit_head" not in existing:
        op.create_table(
            "audit_head",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("last_id", sa.Integer(), nullable=False),
            sa.Column("last_hash", sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )


def downgrade() -> None:
    # Deliberately empty: a schema downgrade never destroys the audit trail (the records are legal
    # records). The tables stay, unused by the older schema, and `upgrade` adopts them again.
    pass
