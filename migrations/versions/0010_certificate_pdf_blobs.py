"""certificate PDFs as stored blobs: the PDF's sha256 and the hash of what it shows

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('training_certificates', schema=None) as batch_op:
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf_key')
