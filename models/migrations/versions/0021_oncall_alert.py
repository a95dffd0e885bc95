"""oncall_alert

Revision ID: 0021
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0021'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oncall_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intake_id', sa.Integer(), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['intake_id'], ['intake.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('intake_id', 'target')
    )
    with op.batch_alter_table('oncall_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oncall_alert_intake_id'), ['intake_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_oncall_alert_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('oncall_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oncall_alert_status'))
        batch_op.drop_index(batch_op.f('ix_oncall_alert_intake_id'))
    op.drop_table('oncall_alert')
