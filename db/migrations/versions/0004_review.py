"""expert review rounds, assignments and scores (issue 4)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_JSON = sa.JSON(none_as_null=True)


def upgrade() -> None:
    # Tables of db/models_review.py.
    op.create_table(
        "review_experts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_uscc", sa.Text(), nullable=True),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_experts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_experts_name"), ["name"], unique=False)

    op.create_table(
        "review_rounds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Text(), nullable=True),
        sa.Column("template_id", sa.Text(), nullable=False),
        sa.Column("template", _JSON, nullable=True),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("threshold_range", sa.Float(), nullable=True),
        sa.Column("threshold_sd", sa.Float(), nullable=True),
        sa.Column("per_application", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_rounds_region"), ["region"], unique=False)

    op.create_table(
        "review_keys",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "review_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("expert_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("payload", _JSON, nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "expert_id", "application_id", name="uq_review_draft"),
    )
    op.create_table(
        "review_round_applications",
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "application_id"),
    )
    op.create_table(
        "review_round_experts",
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("expert_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=True),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("private_key", sa.Text(), nullable=True),
        sa.Column("sheet_digest", sa.String(length=64), nullable=True),
        sa.Column("sheet_issued_at", sa.DateTime(), nullable=True),
        sa.Column("package_issued_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["expert_id"], ["review_experts.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "expert_id"),
    )
    op.create_table(
        "review_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("expert_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["expert_id"], ["review_experts.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "application_id", "expert_id", name="uq_review_assignment"),
    )
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_review_assignments_round", ["round_id"], unique=False)

    op.create_table(
        "review_conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("expert_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("by", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["expert_id"], ["review_experts.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "application_id", "expert_id", "kind", name="uq_review_conflict"),
    )
    with op.batch_alter_table("review_conflicts", schema=None) as batch_op:
        batch_op.create_index("ix_review_conflicts_round", ["round_id"], unique=False)

    op.create_table(
        "review_draws",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reserves", sa.Integer(), nullable=False),
        sa.Column("candidates", _JSON, nullable=True),
        sa.Column("selected", _JSON, nullable=True),
        sa.Column("by", sa.Text(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("review_draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_draws_round_id"), ["round_id"], unique=False)

    op.create_table(
        "review_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("expert_id", sa.String(length=36), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["expert_id"], ["review_experts.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "application_id", "expert_id", name="uq_review_score"),
    )
    with op.batch_alter_table("review_scores", schema=None) as batch_op:
        batch_op.create_index("ix_review_scores_round", ["round_id"], unique=False)

    op.create_table(
        "review_score_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("score_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("suggested", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["score_id"], ["review_scores.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("score_id", "item_key", name="uq_review_score_item"),
    )
    with op.batch_alter_table("review_score_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_score_items_score_id"), ["score_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_score_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_score_items_score_id"))
    op.drop_table("review_score_items")
    with op.batch_alter_table("review_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_review_scores_round")
    op.drop_table("review_scores")
    with op.batch_alter_table("review_draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_draws_round_id"))
    op.drop_table("review_draws")
    with op.batch_alter_table("review_conflicts", schema=None) as batch_op:
        batch_op.drop_index("ix_review_conflicts_round")
    op.drop_table("review_conflicts")
    with op.batch_alter_table("review_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_review_assignments_round")
    op.drop_table("review_assignments")
    op.drop_table("review_round_experts")
    op.drop_table("review_round_applications")
    op.drop_table("review_drafts")
    op.drop_table("review_keys")
    with op.batch_alter_table("review_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_rounds_region"))
    op.drop_table("review_rounds")
    with op.batch_alter_table("review_experts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_experts_name"))
    op.drop_table("review_experts")
