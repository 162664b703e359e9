"""program benefits: a catalogue the vendor edits and each tier's value of each (deal
protection days among them, read by deal approval)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program_benefits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('percent', 'days', 'count', 'text', name='benefitkind', native_enum=False, length=20), nullable=False),
    sa.Column('use', sa.Enum('discount', 'deal_protection', 'mdf_allocation', 'seats', name='benefituse', native_enum=False, length=20), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_benefits')),
    sa.UniqueConstraint('name', name=op.f('uq_program_benefits_name')),
    sa.UniqueConstraint('use', name=op.f('uq_program_benefits_use'))
    )
    op.create_table('program_tier_benefits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('benefit_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['benefit_id'], ['program_benefits.id'], name=op.f('fk_program_tier_benefits_benefit_id_program_benefits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_program_tier_benefits_tier_id_tiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_tier_benefits')),
    sa.UniqueConstraint('tier_id', 'benefit_id', name='uq_program_tier_benefits_tier_benefit')
    )
    with op.batch_alter_table('program_tier_benefits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_tier_benefits_benefit_id'), ['benefit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_tier_benefits_tier_id'), ['tier_id'], unique=False)


def downgrade():
    op.drop_table('program_tier_benefits')
    op.drop_table('program_benefits')
