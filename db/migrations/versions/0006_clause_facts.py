"""facts the clause register needs: provincial recognition date, sealing by all members, mechanisms;
certificates issued for a 29 February decision get the validity end the rest of the app reads

Revision ID: 0006
Revises: 0005
"""
from datetime import date

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
    inspector = sa.inspect(op.get_bind())
    have = {t: {c["name"] for c in inspector.get_columns(t)} for t in ("applications", "systems")}
    # a database downgraded earlier still holds the columns and their values (see downgrade): adopt them
    for name, type_ in _APPLICATION_COLUMNS:
        if name not in have["applications"]:
            op.add_column("applications", sa.Column(name, type_, nullable=True))
    for name in _SYSTEM_COLUMNS:
        if name not in have["systems"]:
            op.add_column("systems", sa.Column(name, sa.Boolean(), nullable=True))
    _fix_leap_day_certificates()


def _fix_leap_day_certificates() -> None:
    # Earlier builds ended a validity from 29 February on 27 February (a clamped anniversary minus a
    # day) while the lifecycle and dashboard said 28 February; the README's reading is the latter.
    # Only that exact signature is corrected, so a date an office typed differently stays.
    certs = sa.table("issued_certificates", sa.column("id", sa.Integer), sa.column("recognized_on", sa.Date),
                     sa.column("valid_until", sa.Date))
    bind = op.get_bind()
    for cid, on, until in bind.execute(sa.select(certs.c.id, certs.c.recognized_on, certs.c.valid_until)).all():
        on, until = _as_date(on), _as_date(until)
        if on and until and (on.month, on.day) == (2, 29) and (until.month, until.day) == (2, 27):
            bind.execute(certs.update().where(certs.c.id == cid).values(valid_until=date(until.year, 2, 28)))


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def downgrade() -> None:
    # Deliberately keeps the columns, as 0005 and 0008 keep their records: they hold what applicants
    # declared, the older schema ignores them, and the audit trail's snapshots include them, so
    # dropping them would make every application read as changed outside the program.
    pass
