"""the queue at 100,000 intakes: the counts above the queue (open urgent cases, unclaimed crises,
every open case) from a small index of the open cases' flags alone; and on PostgreSQL a GIN index
over the checklist ids, so "every case about debt" is an index lookup instead of reading every
row's JSON as text (console/queue.py asks `categories::jsonb @> '["debt"]'` there; SQLite keeps
the text match)

Revision ID: 0070
Revises: 0120
"""
import sqlalchemy as sa
from alembic import op

revision = '0070'
down_revision = '0120'
branch_labels = None
depends_on = None


def upgrade() -> None:
    open_only = sa.text("status <> 'closed'")
    op.create_index('ix_intake_open_flags', 'intake', ['status', 'crisis', 'urgent'],
                    postgresql_where=open_only, sqlite_where=open_only)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_intake_categories_gin ON intake USING gin ((categories::jsonb) jsonb_path_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_intake_categories_gin")
    op.drop_index('ix_intake_open_flags', table_name='intake')
