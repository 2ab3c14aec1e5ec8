"""encrypt free text at rest

Free-text columns become Text holding Fernet ciphertext (companion.core.crypto); rows written
before this revision are encrypted in place, and decrypted again on downgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""
import json

import sqlalchemy as sa
from alembic import op

from companion.core.crypto import decrypt, encrypt

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TEXT = {"checkins": ["use_details", "note", "bring_to_group"],
        "cravings": ["where", "with_whom", "note"], "flags": ["ack_note"],
        "aftercare_comments": ["text"], "aftercare_events": ["note"]}
JSON = {"safety_plans": ["sections"], "chain_analyses": ["answers"],
        "aftercare_versions": ["sections"]}


def _rewrite(table: str, columns: list[str], change) -> None:
    conn = op.get_bind()
    t = sa.table(table, sa.column("id"), *[sa.column(c) for c in columns])
    for row in conn.execute(sa.select(t)).mappings().all():
        values = {c: change(row[c]) for c in columns if row[c] is not None}
        if values:
            conn.execute(t.update().where(t.c.id == row["id"]).values(**values))


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, columns in {**TEXT, **JSON}.items():
        with op.batch_alter_table(table) as batch:
            for c in columns:
                kw = {"postgresql_using": f'"{c}"::text'} if postgres else {}
                batch.alter_column(c, type_=sa.Text(), existing_nullable=False, **kw)
    for table, columns in TEXT.items():
        _rewrite(table, columns, lambda v: encrypt(str(v)))
    for table, columns in JSON.items():
        _rewrite(table, columns,
                 lambda v: encrypt(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)))


def downgrade() -> None:
    for table, columns in {**TEXT, **JSON}.items():
        _rewrite(table, columns, decrypt)
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, columns in JSON.items():
        with op.batch_alter_table(table) as batch:
            for c in columns:
                kw = {"postgresql_using": f'"{c}"::json'} if postgres else {}
                batch.alter_column(c, type_=sa.JSON(), existing_nullable=False, **kw)
    for table, columns in TEXT.items():
        with op.batch_alter_table(table) as batch:
            for c in columns:
                batch.alter_column(c, type_=sa.String(length=1000), existing_nullable=False)
