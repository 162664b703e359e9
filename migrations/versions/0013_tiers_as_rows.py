"""tiers as rows: the program's tiers in a table (the four of the old enum, same order);
orgs and tier requirements point at them; audiences keep their tier masks (a tier's slot is
its old bit) and a floor ("Gold and above") becomes min_tier_id, so it works on rank

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 02:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# The old enum, lowest first: (id, key, name, colour); rank = id, slot = id - 1 (its old bit).
DEFAULT_TIERS = [
    (1, "registered", "Registered", "#667085"),
    (2, "silver", "Silver", "#98a2b3"),
    (3, "gold", "Gold", "#ca8504"),
    (4, "platinum", "Platinum", "#444ce7"),
]
DESCRIPTIONS = {
    "registered": "Signed the partner agreement: the portal, deal registration and training.",
    "silver": "Trained and selling: deal protection, co-branded marketing and a discount.",
    "gold": "Certified and growing: a larger discount, market development funds and longer protection.",
    "platinum": "Strategic partners: the best discount, the most funds and a dedicated channel manager.",
}
TIER_ID = "(SELECT tiers.id FROM tiers WHERE tiers.key = {table}.tier)"


def upgrade():
    tiers = op.create_table('tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('slot', sa.SmallInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('key', name=op.f('uq_tiers_key')),
    sa.UniqueConstraint('name', name=op.f('uq_tiers_name')),
    sa.UniqueConstraint('rank', name=op.f('uq_tiers_rank')),
    sa.UniqueConstraint('slot', name=op.f('uq_tiers_slot'))
    )
    op.bulk_insert(tiers, [{"id": id_, "key": key, "name": name, "rank": id_, "colour": colour,
                            "description": DESCRIPTIONS[key], "slot": id_ - 1}
                           for id_, key, name, colour in DEFAULT_TIERS])
    if op.get_bind().dialect.name == "postgresql":  # rows inserted with their ids: the sequence goes on after them
        op.execute("SELECT setval('tiers_id_seq', (SELECT max(id) FROM tiers))")

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier_id', sa.Integer(), nullable=True))
    op.execute(f"UPDATE organizations SET tier_id = {TIER_ID.format(table='organizations')}")
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_tier_id'), ['tier_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organizations_tier_id_tiers'), 'tiers', ['tier_id'], ['id'])
        batch_op.drop_column('tier')

    with op.batch_alter_table('training_tier_requirements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier_id', sa.Integer(), nullable=True))
    op.execute(f"UPDATE training_tier_requirements SET tier_id = {TIER_ID.format(table='training_tier_requirements')}")
    with op.batch_alter_table('training_tier_requirements', schema=None) as batch_op:
        batch_op.alter_column('tier_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_training_tier_requirements_tier_path', type_='unique')
        batch_op.create_unique_constraint('uq_training_tier_requirements_tier_path', ['tier_id', 'path_id'])
        batch_op.create_foreign_key(batch_op.f('fk_training_tier_requirements_tier_id_tiers'), 'tiers',
                                    ['tier_id'], ['id'])
        batch_op.drop_column('tier')

    with op.batch_alter_table('audiences', schema=None) as batch_op:
        batch_op.alter_column('tiers', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)
        batch_op.add_column(sa.Column('min_tier_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audiences_min_tier_id_tiers'), 'tiers', ['min_tier_id'], ['id'])
    # A mask of a tier and every tier above it (two or more) was a floor: "Silver and above".
    for id_, *_ in DEFAULT_TIERS[:-1]:
        floor_mask = sum(1 << (other - 1) for other, *_ in DEFAULT_TIERS if other >= id_)
        op.execute(f"UPDATE audiences SET min_tier_id = {id_}, tiers = 0 WHERE tiers = {floor_mask}")


def downgrade():
    old_enum = sa.Enum('registered', 'silver', 'gold', 'platinum', name='tier', native_enum=False, length=20)
    for id_, *_ in DEFAULT_TIERS[:-1]:
        floor_mask = sum(1 << (other - 1) for other, *_ in DEFAULT_TIERS if other >= id_)
        op.execute(f"UPDATE audiences SET tiers = {floor_mask} WHERE min_tier_id = {id_}")
    with op.batch_alter_table('audiences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audiences_min_tier_id_tiers'), type_='foreignkey')
        batch_op.drop_column('min_tier_id')
        batch_op.alter_column('tiers', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
    key_of = "(SELECT tiers.key FROM tiers WHERE tiers.id = {table}.tier_id)"
    for table in ('training_tier_requirements', 'organizations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('tier', old_enum, nullable=True))
        op.execute(f"UPDATE {table} SET tier = {key_of.format(table=table)}")
    with op.batch_alter_table('training_tier_requirements', schema=None) as batch_op:
        batch_op.alter_column('tier', existing_type=old_enum, nullable=False)
        batch_op.drop_constraint('uq_training_tier_requirements_tier_path', type_='unique')
        batch_op.create_unique_constraint('uq_training_tier_requirements_tier_path', ['tier', 'path_id'])
        batch_op.drop_constraint(batch_op.f('fk_training_tier_requirements_tier_id_tiers'), type_='foreignkey')
        batch_op.drop_column('tier_id')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organizations_tier_id_tiers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organizations_tier_id'))
        batch_op.drop_column('tier_id')
    op.drop_table('tiers')
