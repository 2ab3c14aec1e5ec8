"""encrypt the reason a client gives for missing a group

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

from companion.core.crypto import decrypt, encrypt

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _rewrite(change) -> None:
    conn = op.get_bind()
    t = sa.table("group_rsvps", sa.column("id"), sa.column("reason"))
    for row in conn.execute(sa.select(t)).mappings().all():
        if row["reason"] is not None:
            conn.execute(t.update().where(t.c.id == row["id"]).values(reason=change(row["reason"])))


def upgrade() -> None:
    with op.batch_alter_table("group_rsvps") as batch:
        batch.alter_column("reason", type_=sa.Text(), existing_nullable=False)
    _rewrite(lambda v: encrypt(str(v)))


def downgrade() -> None:
    _rewrite(decrypt)
    with op.batch_alter_table("group_rsvps") as batch:
        batch.alter_column("reason", type_=sa.String(length=300), existing_nullable=False)
