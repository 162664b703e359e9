"""two-tier distribution: the distributor that follows a deal, and who registered it on a reseller's behalf

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('distributor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('registered_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_deals_distributor_id'), ['distributor_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_deals_distributor_id_organizations'), 'organizations',
                                    ['distributor_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_deals_registered_by_id_users'), 'users', ['registered_by_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deals_registered_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_deals_distributor_id_organizations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_deals_distributor_id'))
        batch_op.drop_column('registered_by_id')
        batch_op.drop_column('distributor_id')
