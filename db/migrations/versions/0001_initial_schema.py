"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 18:00:18.026987
"""
from alembic import op
import sqlalchemy as sa

# exchange-format counts: BIGINT on PostgreSQL (32-bit INTEGER there), INTEGER on SQLite (64-bit)
_COUNT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # First schema: every table of db/models.py.
    op.create_table('applications',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('call_id', sa.Text(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('industry', sa.Text(), nullable=False),
    sa.Column('county', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.Text(), nullable=False),
    sa.Column('tier_requested', sa.String(length=16), nullable=True),
    sa.Column('previously_pilot', sa.Boolean(), nullable=True),
    sa.Column('provincial_recognized', sa.Boolean(), nullable=True),
    sa.Column('established_on', sa.Date(), nullable=True),
    sa.Column('goals', sa.Text(), nullable=True),
    sa.Column('research_directions', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('investment_wan', sa.Float(), nullable=True),
    sa.Column('tech_staff_total', _COUNT, nullable=True),
    sa.Column('cooperation_results', sa.Text(), nullable=True),
    sa.Column('contact', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('materials_listed', sa.Boolean(), nullable=False),
    sa.Column('secretariat_present', sa.Boolean(), nullable=False),
    sa.Column('secretariat_address', sa.Text(), nullable=True),
    sa.Column('secretariat_in_lead_unit', sa.Boolean(), nullable=True),
    sa.Column('secretariat_full_time_staff', _COUNT, nullable=True),
    sa.Column('secretariat_office_area_m2', sa.Float(), nullable=True),
    sa.Column('external_liability_body', sa.Boolean(), nullable=True),
    sa.Column('legal_entity_registered', sa.Boolean(), nullable=True),
    sa.Column('recommendation_present', sa.Boolean(), nullable=False),
    sa.Column('recommended', sa.Boolean(), nullable=True),
    sa.Column('recommendation_opinion', sa.Text(), nullable=True),
    sa.Column('recommendation_by', sa.Text(), nullable=True),
    sa.Column('recommendation_on', sa.Date(), nullable=True),
    sa.Column('drafts', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('stage', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('n_fail', sa.Integer(), nullable=False),
    sa.Column('n_warn', sa.Integer(), nullable=False),
    sa.Column('n_manual', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_county'), ['county'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_region'), ['region'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('from_pack', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_region'), ['region'], unique=False)

    op.create_table('agreements',
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('signed_by_legal_reps', sa.Boolean(), nullable=False),
    sa.Column('sealed', sa.Boolean(), nullable=False),
    sa.Column('innovation_goals', sa.Boolean(), nullable=True),
    sa.Column('task_division', sa.Boolean(), nullable=True),
    sa.Column('ip_terms', sa.Boolean(), nullable=True),
    sa.Column('breach_terms', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id')
    )
    op.create_table('confirmations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('by', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'rule', name='uq_confirmations_application_rule')
    )
    with op.batch_alter_table('confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmations_application_id'), ['application_id'], unique=False)

    op.create_table('materials',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.Text(), nullable=False),
    sa.Column('received', sa.Boolean(), nullable=False),
    sa.Column('copies', _COUNT, nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index('ix_materials_application', ['application_id', 'position'], unique=False)

    op.create_table('members',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('uscc', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('in_region', sa.Boolean(), nullable=False),
    sa.Column('legal_rep', sa.Text(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('chain_segment', sa.Text(), nullable=True),
    sa.Column('research_direction', sa.Text(), nullable=True),
    sa.Column('employees', _COUNT, nullable=True),
    sa.Column('rd_staff', _COUNT, nullable=True),
    sa.Column('senior_titles', _COUNT, nullable=True),
    sa.Column('revenue_wan', sa.Float(), nullable=True),
    sa.Column('rd_spend_wan', sa.Float(), nullable=True),
    sa.Column('enterprise_class', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('projects_municipal_or_above', _COUNT, nullable=True),
    sa.Column('high_level_talent', sa.String(length=32), nullable=True),
    sa.Column('integrity_ok', sa.Boolean(), nullable=True),
    sa.Column('contact', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('platforms_listed', sa.Boolean(), nullable=False),
    sa.Column('uscc_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index('ix_members_application_position', ['application_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_uscc'), ['uscc'], unique=False)

    op.create_table('office_holders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('unit', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('office_holders', schema=None) as batch_op:
        batch_op.create_index('ix_office_holders_application', ['application_id', 'body', 'position'], unique=False)

    op.create_table('systems',
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('charter', sa.Boolean(), nullable=True),
    sa.Column('funding_management', sa.Boolean(), nullable=True),
    sa.Column('funding_supervision', sa.Boolean(), nullable=True),
    sa.Column('project_management', sa.Boolean(), nullable=True),
    sa.Column('confidentiality', sa.Boolean(), nullable=True),
    sa.Column('iur_cooperation', sa.Boolean(), nullable=True),
    sa.Column('council_rules', sa.Boolean(), nullable=True),
    sa.Column('rd_management', sa.Boolean(), nullable=True),
    sa.Column('open_membership', sa.Boolean(), nullable=True),
    sa.Column('results_diffusion', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id')
    )
    op.create_table('platforms',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.Text(), nullable=True),
    sa.Column('approved_by', sa.Text(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platforms_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    # First schema: every table of db/models.py.
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platforms_member_id'))

    op.drop_table('platforms')
    op.drop_table('systems')
    with op.batch_alter_table('office_holders', schema=None) as batch_op:
        batch_op.drop_index('ix_office_holders_application')

    op.drop_table('office_holders')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_uscc'))
        batch_op.drop_index(batch_op.f('ix_members_name'))
        batch_op.drop_index('ix_members_application_position')

    op.drop_table('members')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index('ix_materials_application')

    op.drop_table('materials')
    with op.batch_alter_table('confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmations_application_id'))

    op.drop_table('confirmations')
    op.drop_table('agreements')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_region'))

    op.drop_table('calls')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_region'))
        batch_op.drop_index(batch_op.f('ix_applications_name'))
        batch_op.drop_index(batch_op.f('ix_applications_industry'))
        batch_op.drop_index(batch_op.f('ix_applications_county'))
        batch_op.drop_index(batch_op.f('ix_applications_call_id'))

    op.drop_table('applications')
