"""case lifecycle: assignee, triage, outcome on the intake; timeline, contacts, meetings,
plans, consent overrides; staff team and city flag

Revision ID: 0030
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0030'
down_revision = '0021'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', S(length=16), nullable=True))
        batch_op.add_column(sa.Column('city_staff', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('touched_at', TZ, nullable=True))
        batch_op.add_column(sa.Column('team', S(length=16), nullable=True))
        batch_op.add_column(sa.Column('triage_class', S(length=2), nullable=True))
        batch_op.add_column(sa.Column('triage_reason', S(length=500), nullable=True))
        batch_op.add_column(sa.Column('outcome', S(length=16), nullable=True))
        batch_op.add_column(sa.Column('closed_at', TZ, nullable=True))
        batch_op.create_foreign_key('fk_intake_assignee_id_staff_user', 'staff_user', ['assignee_id'], ['id'])
        batch_op.create_index('ix_intake_assignee_id', ['assignee_id'], unique=False)
        batch_op.create_index('ix_intake_team', ['team'], unique=False)

    # the queue's order (console/queue.py): crisis first, then urgent, oldest first. Open cases
    # (the default view) get a partial index; a state filter and "all states" get their own.
    order = [sa.text('crisis DESC'), sa.text('urgent DESC'), 'received_at', 'id']
    open_only = sa.text("status <> 'closed'")
    op.create_index('ix_intake_queue_open', 'intake', order, postgresql_where=open_only, sqlite_where=open_only)
    op.create_index('ix_intake_queue_state', 'intake', ['status'] + order)
    op.create_index('ix_intake_queue_all', 'intake', order)

    op.create_table('case_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('intake_id', sa.Integer(), nullable=False),
        sa.Column('at', TZ, nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('kind', S(length=32), nullable=False),
        sa.Column('from_status', S(length=16), nullable=True),
        sa.Column('to_status', S(length=16), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['intake_id'], ['intake.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_event_intake_id', 'case_event', ['intake_id'])

    op.create_table('contact_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('intake_id', sa.Integer(), nullable=False),
        sa.Column('happened_at', TZ, nullable=False),
        sa.Column('method', S(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('note', S(), nullable=False),
        sa.Column('created_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['intake_id'], ['intake.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contact_log_intake_id', 'contact_log', ['intake_id'])
    op.create_index('ix_contact_log_happened_at', 'contact_log', ['happened_at'])

    op.create_table('meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('intake_id', sa.Integer(), nullable=False),
        sa.Column('kind', S(length=16), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('members', sa.JSON(), nullable=False),
        sa.Column('outcome', S(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['intake_id'], ['intake.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_meeting_intake_id', 'meeting', ['intake_id'])

    op.create_table('support_plan',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('intake_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('goals', S(), nullable=False),
        sa.Column('tasks', sa.JSON(), nullable=False),
        sa.Column('review_on', sa.Date(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('approved_by', sa.Integer(), nullable=True),
        sa.Column('approved_at', TZ, nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['approved_by'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['intake_id'], ['intake.id']),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_support_plan_intake_id', 'support_plan', ['intake_id'])

    op.create_table('consent_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('intake_id', sa.Integer(), nullable=False),
        sa.Column('purpose', S(length=16), nullable=False),
        sa.Column('reason', S(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('at', TZ, nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id']),
        sa.ForeignKeyConstraint(['intake_id'], ['intake.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consent_override_intake_id', 'consent_override', ['intake_id'])


def downgrade() -> None:
    for table in ('consent_override', 'support_plan', 'meeting', 'contact_log', 'case_event'):
        op.drop_table(table)
    for index in ('ix_intake_queue_all', 'ix_intake_queue_state', 'ix_intake_queue_open'):
        op.drop_index(index, table_name='intake')
    with op.batch_alter_table('intake', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_team')
        batch_op.drop_index('ix_intake_assignee_id')
        batch_op.drop_constraint('fk_intake_assignee_id_staff_user', type_='foreignkey')
        for column in ('closed_at', 'outcome', 'triage_reason', 'triage_class', 'team',
                       'touched_at', 'assigned_at', 'assignee_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('city_staff')
        batch_op.drop_column('team')
