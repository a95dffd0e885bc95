"""the worker's lookups under load: a resident's waiting events and unsent outbox rows from two
small partial indexes (only rows still to do), not from the indexes on processed_at / status,
whose every update leaves an entry behind until VACUUM (in benchmarks/load.py the planner read
16,000 of them for one resident: 5 ms a lookup)

Revision ID: 0130
Revises: 0100
"""
import sqlalchemy as sa
from alembic import op

revision = '0130'
down_revision = '0100'
branch_labels = None
depends_on = None


def upgrade() -> None:
    waiting = sa.text("processed_at IS NULL AND failed_at IS NULL")
    op.create_index('ix_webhook_event_waiting', 'webhook_event', ['user_key', 'occurred_at', 'id'],
                    postgresql_where=waiting, sqlite_where=waiting)
    pending = sa.text("status = 'pending'")
    op.create_index('ix_outbox_message_pending', 'outbox_message', ['user_key', 'id'],
                    postgresql_where=pending, sqlite_where=pending)


def downgrade() -> None:
    op.drop_index('ix_outbox_message_pending', table_name='outbox_message')
    op.drop_index('ix_webhook_event_waiting', table_name='webhook_event')
