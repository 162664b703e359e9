"""program evaluation: criteria per tier (the training tier requirements become criteria of
certified people), partners' evidence, the program settings (one row: USD, promotions
reviewed, 90 days' grace) and exchange rates, every tier
change with its evidence, each org's pin and grace period; deals remember when they closed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

PARTNER_TYPE = sa.Enum('reseller', 'distributor', 'msp', 'referral', 'si', name='partnertype', native_enum=False, length=20)
CRITERION_KIND = sa.Enum('certified_people', 'won_revenue', 'approved_deals', 'evidence', name='criterionkind',
                         native_enum=False, length=20)


def upgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE deals SET closed_at = updated_at WHERE status IN ('won', 'lost')")

    op.create_table('program_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('kind', CRITERION_KIND, nullable=False),
    sa.Column('partner_type', PARTNER_TYPE, nullable=True),
    sa.Column('path_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.BigInteger(), nullable=False),
    sa.Column('window_months', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['path_id'], ['training_paths.id'], name=op.f('fk_program_criteria_path_id_training_paths'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_program_criteria_tier_id_tiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_criteria'))
    )
    with op.batch_alter_table('program_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_criteria_path_id'), ['path_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_criteria_tier_id'), ['tier_id'], unique=False)
    op.execute("INSERT INTO program_criteria (tier_id, kind, path_id, target, window_months, name) "
               "SELECT tier_id, 'certified_people', path_id, count, 12, '' FROM training_tier_requirements")
    op.drop_table('training_tier_requirements')

    op.create_table('program_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_program_evidence_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['criterion_id'], ['program_criteria.id'], name=op.f('fk_program_evidence_criterion_id_program_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_program_evidence_org_id_organizations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_program_evidence_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_evidence'))
    )
    with op.batch_alter_table('program_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_evidence_criterion_id'), ['criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_evidence_org_id'), ['org_id'], unique=False)

    settings = op.create_table('program_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('promotions', sa.Enum('automatic', 'reviewed', name='promotionpolicy', native_enum=False, length=20), nullable=False),
    sa.Column('grace_days', sa.Integer(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_settings'))
    )
    op.bulk_insert(settings, [{"id": 1, "currency": "USD", "promotions": "reviewed", "grace_days": 90}])
    op.create_table('program_exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.Numeric(precision=18, scale=8), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_exchange_rates')),
    sa.UniqueConstraint('currency', name=op.f('uq_program_exchange_rates_currency'))
    )
    op.create_table('program_tier_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('promotion', 'demotion', 'override', name='changekind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('pending', 'applied', 'declined', 'withdrawn', name='changestatus', native_enum=False, length=20), nullable=False),
    sa.Column('from_tier_id', sa.Integer(), nullable=True),
    sa.Column('to_tier_id', sa.Integer(), nullable=True),
    sa.Column('from_tier_name', sa.String(length=60), nullable=False),
    sa.Column('to_tier_name', sa.String(length=60), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(), nullable=False),
    sa.Column('deferred_until', sa.Date(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_program_tier_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['from_tier_id'], ['tiers.id'], name=op.f('fk_program_tier_changes_from_tier_id_tiers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_program_tier_changes_org_id_organizations')),
    sa.ForeignKeyConstraint(['to_tier_id'], ['tiers.id'], name=op.f('fk_program_tier_changes_to_tier_id_tiers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_tier_changes'))
    )
    with op.batch_alter_table('program_tier_changes', schema=None) as batch_op:
        batch_op.create_index('ix_program_tier_changes_status_org', ['status', 'org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_tier_changes_org_id'), ['org_id'], unique=False)
    op.create_table('program_org_standings',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('pinned_until', sa.Date(), nullable=True),
    sa.Column('pin_reason', sa.String(length=1000), nullable=False),
    sa.Column('grace_tier_id', sa.Integer(), nullable=True),
    sa.Column('grace_started_at', sa.DateTime(), nullable=True),
    sa.Column('grace_ends_at', sa.DateTime(), nullable=True),
    sa.Column('grace_reminded', sa.Boolean(), nullable=False),
    sa.Column('grace_evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['grace_tier_id'], ['tiers.id'], name=op.f('fk_program_org_standings_grace_tier_id_tiers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_program_org_standings_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_program_org_standings'))
    )


def downgrade():
    op.drop_table('program_org_standings')
    op.drop_table('program_tier_changes')
    op.drop_table('program_exchange_rates')
    op.drop_table('program_settings')
    op.drop_table('program_evidence')
    op.create_table('training_tier_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['path_id'], ['training_paths.id'], name=op.f('fk_training_tier_requirements_path_id_training_paths'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_training_tier_requirements_tier_id_tiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_tier_requirements')),
    sa.UniqueConstraint('tier_id', 'path_id', name='uq_training_tier_requirements_tier_path')
    )
    with op.batch_alter_table('training_tier_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_tier_requirements_path_id'), ['path_id'], unique=False)
    op.execute("INSERT INTO training_tier_requirements (tier_id, path_id, count) SELECT tier_id, path_id, max(target) "
               "FROM program_criteria WHERE kind = 'certified_people' AND partner_type IS NULL GROUP BY tier_id, path_id")
    op.drop_table('program_criteria')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
