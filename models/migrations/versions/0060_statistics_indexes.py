"""statistics at 100,000 intakes: the first 担当決定 and the last closing of each case, and the
first contact of each case, read from an index alone (console/stats_cases.py)

Revision ID: 0060
Revises: 0030
"""
from alembic import op

revision = '0060'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # kind first: "the claims (or closings) of each case, in case order" is one range of the
    # index; id rides along (PostgreSQL) so the last closing needs no table read.
    op.create_index('ix_case_event_kind_intake_at', 'case_event', ['kind', 'intake_id', 'at'],
                    postgresql_include=['id'])
    op.create_index('ix_contact_log_intake_happened', 'contact_log', ['intake_id', 'happened_at'])


def downgrade() -> None:
    op.drop_index('ix_contact_log_intake_happened', table_name='contact_log')
    op.drop_index('ix_case_event_kind_intake_at', table_name='case_event')
