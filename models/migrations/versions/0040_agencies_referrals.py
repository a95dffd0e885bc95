"""agency directory, referrals, settings stored in the database; agency staff; silent replies

Revision ID: 0040
Revises: 0020
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0040'
down_revision = '0020'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('agency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', S(length=32), nullable=False),
    sa.Column('name', S(length=100), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('contact', S(length=300), nullable=False),
    sa.Column('note', S(length=1000), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_code'), ['code'], unique=True)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('status', S(length=16), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('request_note', S(), nullable=False),
    sa.Column('reason', S(), nullable=True),
    sa.Column('proposal', S(), nullable=True),
    sa.Column('result_note', S(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', TZ, nullable=True),
    sa.Column('updated_at', TZ, nullable=False),
    sa.Column('remind_after', TZ, nullable=True),
    sa.Column('reminded_at', TZ, nullable=True),
    sa.ForeignKeyConstraint(['intake_id'], ['intake.id'], ),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['answered_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_remind_after'), ['remind_after'], unique=False)

    op.create_table('app_setting',
    sa.Column('key', S(length=32), nullable=False),
    sa.Column('value', S(length=200), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('key')
    )

    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_staff_user_agency_id', 'agency', ['agency_id'], ['id'])

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('silent', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.add_column(sa.Column('silent_replies', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_column('silent_replies')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('silent')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_staff_user_agency_id', type_='foreignkey')
        batch_op.drop_column('agency_id')
    op.drop_table('app_setting')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        for name in ('remind_after', 'status', 'agency_id', 'intake_id'):
            batch_op.drop_index(batch_op.f(f'ix_referral_{name}'))
    op.drop_table('referral')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_code'))
    op.drop_table('agency')
