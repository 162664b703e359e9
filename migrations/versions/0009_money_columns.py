"""money columns: deal amounts as 64-bit integers (the form accepts up to 10^12)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.alter_column('amount', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.alter_column('amount', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
