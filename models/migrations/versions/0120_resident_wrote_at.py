"""the resident wrote again after the intake: a 新着 mark in the queue until the assignee looks

Revision ID: 0120
Revises: 0060
"""
import sqlalchemy as sa
from alembic import op

revision = '0120'
down_revision = '0060'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake') as batch:
        batch.add_column(sa.Column('resident_wrote_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('intake') as batch:
        batch.drop_column('resident_wrote_at')
