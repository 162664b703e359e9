"""recruitment and onboarding: public applications to join the program (confirmed by email,
then vetted), the vetting team's notes, whom the program recruits (one settings row: every
region and partner type); onboarding checklists per partner type and each new partner's
progress

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 19:20:49.630862

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('onboarding_checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_type', sa.Enum('reseller', 'distributor', 'msp', 'referral', 'si', name='partnertype', native_enum=False, length=20), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_checklists')),
    sa.UniqueConstraint('partner_type', name=op.f('uq_onboarding_checklists_partner_type'))
    )
    settings = op.create_table('recruitment_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('partner_types', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_settings'))
    )
    op.bulk_insert(settings, [{"id": 1, "regions": ["NA", "EMEA", "APAC", "LATAM"],
                               "partner_types": ["reseller", "distributor", "msp", "referral", "si"]}])
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('unconfirmed', 'new', 'in_review', 'approved', 'declined', 'expired', name='applicationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('website', sa.String(length=253), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('partner_type', sa.Enum('reseller', 'distributor', 'msp', 'referral', 'si', name='partnertype', native_enum=False, length=20), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_domain', sa.String(length=253), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('expected_business', sa.Enum('up_to_100k', 'up_to_500k', 'up_to_1m', 'over_1m', name='expectedbusiness', native_enum=False, length=20), nullable=False),
    sa.Column('product_ids', sa.JSON(), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.String(length=2000), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_applications_org_id_organizations')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_applications_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_domain'), ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_email_domain'), ['email_domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_ip'), ['ip'], unique=False)
        batch_op.create_index('ix_applications_status_at', ['status', 'at'], unique=False)

    op.create_table('onboarding_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('agreement', 'brand_kit', 'team', 'certified', 'first_deal', 'first_cobrand_pdf', 'custom', name='stepkind', native_enum=False, length=20), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['checklist_id'], ['onboarding_checklists.id'], name=op.f('fk_onboarding_steps_checklist_id_onboarding_checklists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['path_id'], ['training_paths.id'], name=op.f('fk_onboarding_steps_path_id_training_paths'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_steps'))
    )
    with op.batch_alter_table('onboarding_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onboarding_steps_checklist_id'), ['checklist_id'], unique=False)

    op.create_table('application_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_notes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_application_notes_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_notes'))
    )
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_notes_application_id'), ['application_id'], unique=False)

    op.create_table('onboardings',
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_onboardings_application_id_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_onboardings_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('org_id', name=op.f('pk_onboardings'))
    )
    op.create_table('onboarding_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_onboarding_progress_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['org_id'], ['onboardings.org_id'], name=op.f('fk_onboarding_progress_org_id_onboardings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['step_id'], ['onboarding_steps.id'], name=op.f('fk_onboarding_progress_step_id_onboarding_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onboarding_progress')),
    sa.UniqueConstraint('org_id', 'step_id', name=op.f('uq_onboarding_progress_org_id'))
    )
    with op.batch_alter_table('onboarding_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onboarding_progress_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_onboarding_progress_step_id'), ['step_id'], unique=False)



def downgrade():
    with op.batch_alter_table('onboarding_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboarding_progress_step_id'))
        batch_op.drop_index(batch_op.f('ix_onboarding_progress_org_id'))

    op.drop_table('onboarding_progress')
    op.drop_table('onboardings')
    with op.batch_alter_table('application_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_notes_application_id'))

    op.drop_table('application_notes')
    with op.batch_alter_table('onboarding_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboarding_steps_checklist_id'))

    op.drop_table('onboarding_steps')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status_at')
        batch_op.drop_index(batch_op.f('ix_applications_ip'))
        batch_op.drop_index(batch_op.f('ix_applications_email_domain'))
        batch_op.drop_index(batch_op.f('ix_applications_domain'))

    op.drop_table('applications')
    op.drop_table('recruitment_settings')
    op.drop_table('onboarding_checklists')
