"""encrypt trigger, skill, substance and coping labels; count them by a keyed hash

`entry_tags.label` and `personal_triggers.label` become Text holding Fernet ciphertext of the
normalised label, with `label_hash` (HMAC-SHA256 under LABEL_HASH_KEY) beside it for grouping
and uniqueness in SQL. Existing rows are converted in place (two personal triggers that
normalise to one label are kept once, the older); downgrade decrypts them again. A short
check of LABEL_HASH_KEY is stored in `settings`, so `companion check` can tell a replica with
another key apart.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from companion.core import keys
from companion.core.crypto import decrypt, encrypt, label_hash, label_key, normal_label
from companion.core.timeutil import UTCDateTime, utcnow

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ("entry_tags", "personal_triggers")
NEW_UNIQUE = "uq_personal_triggers_client_label_hash"
OLD_UNIQUE = "uq_personal_triggers_client_label"
KEY_CHECK = "label_hash_key_check"
BATCH = 1000


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rewrite(table: str, change) -> None:
    """`change(label) -> new values` for every row (`_label`, and `_hash` if hashing), a page
    of rows and one statement at a time."""
    conn = op.get_bind()
    t = sa.table(table, sa.column("id"), sa.column("label"), sa.column("label_hash"))
    hashing = change is _sealed
    update = (t.update().where(t.c.id == sa.bindparam("_id"))
              .values(label=sa.bindparam("_label"),
                      **({"label_hash": sa.bindparam("_hash")} if hashing else {})))
    last = 0
    while rows := conn.execute(sa.select(t.c.id, t.c.label).where(t.c.id > last)
                               .order_by(t.c.id).limit(BATCH)).all():
        conn.execute(update, [{"_id": row.id, **change(row.label)} for row in rows])
        last = rows[-1].id


def _sealed(label: str) -> dict:
    plain = normal_label(label)
    return {"_label": encrypt(plain), "_hash": label_hash(plain)}


def _opened(token: str) -> dict:
    return {"_label": decrypt(token)}


def _unique_name(table: str, columns: list[str]) -> str | None:
    for uc in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if uc["column_names"] == columns:
            return uc["name"]
    return None


def _personal_triggers(label_type, nullable_hash: bool) -> sa.Table:
    """personal_triggers without its unique constraint (SQLite's batch copy starts here)."""
    return sa.Table(
        "personal_triggers", sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("label", label_type, nullable=False),
        sa.Column("label_hash", sa.String(64), nullable=nullable_hash),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Index("ix_personal_triggers_client_id", "client_id"))


def _drop_unique(columns: list[str], label_type) -> None:
    name = _unique_name("personal_triggers", columns)
    if _postgres() or name:
        with op.batch_alter_table("personal_triggers") as batch:
            batch.drop_constraint(name, type_="unique")
    else:  # SQLite's unnamed constraint: rebuild the table without it
        with op.batch_alter_table("personal_triggers", recreate="always",
                                  copy_from=_personal_triggers(label_type, True)):
            pass


def _dedupe_triggers() -> None:
    """Keep the oldest of personal triggers that now share one (client, label)."""
    conn = op.get_bind()
    t = sa.table("personal_triggers", sa.column("id"), sa.column("client_id"),
                 sa.column("label_hash"))
    keep = (sa.select(sa.func.min(t.c.id)).group_by(t.c.client_id, t.c.label_hash)
            .scalar_subquery())
    conn.execute(t.delete().where(t.c.id.not_in(keep)))


def upgrade() -> None:
    postgres = _postgres()
    label_check = keys.check_value(label_key(), "label_hash_key")  # fails early without a key
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("label_hash", sa.String(64), nullable=True))
            batch.alter_column("label", type_=sa.Text(), existing_nullable=False,
                               **({"postgresql_using": "label::text"} if postgres else {}))
    _drop_unique(["client_id", "label"], sa.Text())
    for table in TABLES:
        _rewrite(table, _sealed)
    _dedupe_triggers()
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("label_hash", existing_type=sa.String(64), nullable=False)
    with op.batch_alter_table("personal_triggers") as batch:
        batch.create_unique_constraint(NEW_UNIQUE, ["client_id", "label_hash"])
    settings = sa.table("settings", sa.column("key"), sa.column("value"),
                        sa.column("updated_at", UTCDateTime()))
    op.get_bind().execute(settings.delete().where(settings.c.key == KEY_CHECK))
    op.get_bind().execute(settings.insert().values(key=KEY_CHECK, value=label_check,
                                                   updated_at=utcnow()))


def downgrade() -> None:
    settings = sa.table("settings", sa.column("key"))
    op.get_bind().execute(settings.delete().where(settings.c.key == KEY_CHECK))
    with op.batch_alter_table("personal_triggers") as batch:
        batch.drop_constraint(NEW_UNIQUE, type_="unique")
    for table in TABLES:
        _rewrite(table, _opened)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("label_hash")
            batch.alter_column("label", type_=sa.String(length=80), existing_nullable=False)
    with op.batch_alter_table("personal_triggers") as batch:
        batch.create_unique_constraint(OLD_UNIQUE, ["client_id", "label"])
