"""staff accounts: usernames in one case (unique on lower(username)), a must-change-password
flag, and audit_event.detail (a setting's old and new value)

Usernames that differ only in case (ADMIN next to admin) cannot both stay: the one already in
lower case (else the oldest) keeps the name, another becomes `<name>-<id>` (the admin sees it in
職員アカウント and tells its owner).

Revision ID: 0100
Revises: 0070
"""
from alembic import op
import sqlalchemy as sa

revision = '0100'
down_revision = '0070'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('staff_user', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    op.add_column('audit_event', sa.Column('detail', sa.JSON(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, username FROM staff_user ORDER BY id")).all()
    taken = {username for _, username in rows if username == username.lower()}
    for staff_id, username in rows:
        lower = username.lower()
        if lower == username:
            continue
        new = lower if lower not in taken else f"{lower[:50]}-{staff_id}"
        taken.add(new)
        bind.execute(sa.text("UPDATE staff_user SET username = :new WHERE id = :id"), {"new": new, "id": staff_id})
    op.create_index('ix_staff_user_username_lower', 'staff_user', [sa.text('lower(username)')], unique=True)


def downgrade() -> None:
    op.drop_index('ix_staff_user_username_lower', table_name='staff_user')
    op.drop_column('audit_event', 'detail')
    op.drop_column('staff_user', 'must_change_password')
