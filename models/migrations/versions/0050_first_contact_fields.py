"""first contact: anonymity apart from the role, household members, professionals, proxy consent

Revision ID: 0050
Revises: 0040
"""
from alembic import op
import sqlalchemy as sa


revision = '0050'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('intake') as batch:
        batch.add_column(sa.Column('anonymous', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('household') as batch:
        batch.add_column(sa.Column('members', sa.JSON(), nullable=True))
    with op.batch_alter_table('reporter') as batch:
        batch.add_column(sa.Column('organisation', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('person_knows', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('keep_identity', sa.Boolean(), nullable=True))
    with op.batch_alter_table('consent_record') as batch:
        batch.add_column(sa.Column('obtained_by', sa.String(length=100), nullable=True))
    # the old role value "anonymous" becomes the flag (the role stays as it was written)
    op.execute("UPDATE intake SET anonymous = true WHERE reporter_role = 'anonymous'")


def downgrade() -> None:
    with op.batch_alter_table('consent_record') as batch:
        batch.drop_column('obtained_by')
    with op.batch_alter_table('reporter') as batch:
        batch.drop_column('keep_identity')
        batch.drop_column('person_knows')
        batch.drop_column('organisation')
    with op.batch_alter_table('household') as batch:
        batch.drop_column('members')
    with op.batch_alter_table('intake') as batch:
        batch.drop_column('anonymous')
