"""key the audit chain (HMAC under AUDIT_KEY); audit rows name the account acted on

Until now each audit row's hash was a plain SHA-256 anyone could recompute after deleting or
editing a row. Upgrade first checks the unkeyed chain as it stands, then re-seals every row
from genesis with HMAC-SHA256 under AUDIT_KEY (sequence numbers kept, so a row already
missing stays missing), and appends one `reseal` audit event that records what the unkeyed
chain looked like (intact up to #N with its head, or where it was broken). A short check of
the key goes into `audit_seal.key_check`. `audit_events.subject_id` names the account an
action was on (staff included). Downgrade re-seals with plain SHA-256.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""
import hashlib
import hmac
import logging
from datetime import timezone

import sqlalchemy as sa
from alembic import op

from companion.core import keys
from companion.core.config import get_settings
from companion.core.timeutil import UTCDateTime, utcnow

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FK = "fk_audit_events_subject_id_users"
BATCH = 1000
log = logging.getLogger("alembic.runtime.migration")


def _events(with_subject: bool) -> sa.Table:
    cols = ["seq", "actor_id", "actor_role", "action", "record_kind", "client_id", "detail",
            "prev_hash", "row_hash", *(["subject_id"] if with_subject else [])]
    return sa.Table("audit_events", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("at", UTCDateTime()), *(sa.Column(c) for c in cols))


SEAL = sa.table("audit_seal", sa.column("id"), sa.column("last_seq"), sa.column("last_hash"),
                sa.column("key_check"))


def _content(row, prev: str, with_subject: bool) -> bytes:
    at = row["at"].astimezone(timezone.utc)
    values = [row["seq"], row["id"], at.isoformat(), row["actor_id"], row["actor_role"],
              row["action"], row["record_kind"], row["client_id"],
              *([row["subject_id"]] if with_subject else []), row["detail"], prev]
    return "|".join(str(v) for v in values).encode()


def _sha256(row, prev: str) -> str:  # the digest of revisions 0005–0012
    return hashlib.sha256(_content(row, prev, False)).hexdigest()


def _check_unkeyed(rows) -> str:
    prev, expected = GENESIS, 1
    for row in rows:
        if row["seq"] != expected:
            return f"NOT intact: row #{expected} was missing"
        if row["prev_hash"] != prev or row["row_hash"] != _sha256(row, prev):
            return f"NOT intact: row #{row['seq']} (id {row['id']}) was altered"
        prev, expected = row["row_hash"], expected + 1
    return f"intact up to #{expected - 1} (head {prev})"


def _rechain(rows, digest) -> tuple[int, str]:
    """Give every row in `rows` (seq order; unsealed ones after) its hash; returns the head."""
    conn = op.get_bind()
    t = _events(True)
    update = (t.update().where(t.c.id == sa.bindparam("_id"))
              .values(seq=sa.bindparam("_seq"), prev_hash=sa.bindparam("_prev"),
                      row_hash=sa.bindparam("_hash")))
    prev, last, batch = GENESIS, 0, []
    for row in rows:
        row = dict(row)
        row["seq"] = row["seq"] if row["seq"] is not None else last + 1
        digest_value = digest(row, prev)
        batch.append({"_id": row["id"], "_seq": row["seq"], "_prev": prev, "_hash": digest_value})
        prev, last = digest_value, row["seq"]
        if len(batch) == BATCH:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)
    return last, prev


def _ordered(sealed_only: bool = False):
    """Every row, sealed ones by seq and then unsealed ones by id, a page at a time (an audit
    trail can hold millions of rows)."""
    conn, t = op.get_bind(), _events(True)
    last = 0
    while page := conn.execute(sa.select(t).where(t.c.seq > last).order_by(t.c.seq)
                               .limit(BATCH)).mappings().all():
        yield from page
        last = page[-1]["seq"]
    last = 0
    while not sealed_only and (page := conn.execute(
            sa.select(t).where(t.c.seq.is_(None), t.c.id > last).order_by(t.c.id)
            .limit(BATCH)).mappings().all()):
        yield from page
        last = page[-1]["id"]


def upgrade() -> None:
    key = keys.fernet_bytes(keys.require("AUDIT_KEY", get_settings().audit_key))

    def keyed(row, prev: str) -> str:
        return hmac.new(key, _content(row, prev, True), hashlib.sha256).hexdigest()

    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(FK, "users", ["subject_id"], ["id"])
    with op.batch_alter_table("audit_seal") as batch:
        batch.add_column(sa.Column("key_check", sa.String(32), nullable=True))
    conn = op.get_bind()
    before = _check_unkeyed(_ordered(sealed_only=True))
    count = conn.execute(sa.select(sa.func.count()).select_from(_events(True))).scalar()
    last, head = _rechain(_ordered(), keyed)
    if count:  # the re-seal itself is on the record, with what the chain was before
        events = _events(True)
        event = {"at": utcnow(), "actor_id": None, "actor_role": "system", "action": "reseal",
                 "record_kind": "audit", "client_id": None, "subject_id": None,
                 "detail": (f"audit chain re-sealed from genesis with AUDIT_KEY: {count} "
                            f"rows; the unkeyed chain before was {before}")[:500]}
        new_id = conn.execute(events.insert().values(**event)).inserted_primary_key[0]
        stored = conn.execute(sa.select(events).where(events.c.id == new_id)).mappings().one()
        row = dict(stored) | {"seq": last + 1}  # its time as stored, as verify will read it
        digest_value = keyed(row, head)
        conn.execute(events.update().where(events.c.id == new_id).values(
            seq=row["seq"], prev_hash=head, row_hash=digest_value))
        last, head = row["seq"], digest_value
        if before.startswith("NOT"):
            log.warning("audit trail: the unkeyed chain was %s; recorded in audit row #%s",
                        before, last)
    conn.execute(SEAL.update().where(SEAL.c.id == 1).values(
        last_seq=last, last_hash=head, key_check=keys.check_value(key, "audit_key")))


def downgrade() -> None:
    last, head = _rechain(_ordered(sealed_only=True), _sha256)
    op.get_bind().execute(SEAL.update().where(SEAL.c.id == 1).values(last_seq=last,
                                                                     last_hash=head))
    with op.batch_alter_table("audit_seal") as batch:
        batch.drop_column("key_check")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.drop_column("subject_id")
