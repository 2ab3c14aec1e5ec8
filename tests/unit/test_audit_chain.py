"""The audit chain is keyed (HMAC under AUDIT_KEY, kept apart from the database): rows deleted
and re-chained with a plain digest are caught, `verify-audit` prints the head for an operator
to keep elsewhere and checks it later, and the upgrade re-seals older chains on the record."""
import hashlib
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet
from sqlmodel import select

from companion import audit, cli
from companion.checkins import current
from companion.core import db, keys
from companion.core.config import get_settings
from companion.core.db import get_engine, session_scope
from companion.core.errors import ConfigError
from companion.core.timeutil import clinic_today
from companion.models import AuditEvent, AuditSeal
from tests.conftest import actor, insert_user_row


def old_digest(row, prev: str) -> str:
    """The unkeyed digest of the previous release (anyone can compute it)."""
    at = row.at.astimezone(timezone.utc)
    content = "|".join(str(v) for v in (row.seq, row.id, at.isoformat(), row.actor_id,
                                        row.actor_role, row.action, row.record_kind,
                                        row.client_id, row.detail, prev))
    return hashlib.sha256(content.encode()).hexdigest()


def keyed_with(key: bytes):
    """The module's own content, under some key: what an attacker with another key does."""
    def digest(row, prev: str) -> str:
        return audit._digest(row, prev, key)
    return digest


def rechain(digest) -> None:
    """An attacker's re-chain of every remaining row, head included, after a deletion."""
    with session_scope() as s:
        prev = audit.GENESIS
        for n, row in enumerate(s.exec(select(AuditEvent).order_by(AuditEvent.seq)), 1):
            row.seq, row.prev_hash = n, prev
            s.add(row)
            s.flush()
            row.row_hash = prev = digest(row, prev)
        head = s.get(AuditSeal, 1)
        head.last_seq, head.last_hash = n, prev
        s.add(head)


@pytest.fixture
def three_reads(db_url, users, session):
    therapist = users.therapist(name="t")
    client = users.client(therapist, name="c")
    session.commit()
    for _ in range(3):
        with session_scope() as s:
            current(s, actor(therapist), client.id, clinic_today())
    return actor(therapist), client


def delete_row_two() -> None:
    with session_scope() as s:
        s.delete(s.exec(select(AuditEvent).where(AuditEvent.seq == 2)).one())


@pytest.mark.parametrize("attack", ["sha256", "another key"])
def test_deleting_a_row_and_rechaining_is_caught(three_reads, attack):
    """Was: after deleting a row and re-chaining with the module's own digest,
    `companion verify-audit` reported the trail intact."""
    delete_row_two()
    rechain(old_digest if attack == "sha256" else keyed_with(Fernet.generate_key()))
    with session_scope() as s:
        verdict = audit.verify(s)
    assert not verdict.ok and "row #1" in verdict.message and "altered" in verdict.message
    assert cli.main(["verify-audit"]) == 2


def test_verify_prints_the_head_and_checks_a_kept_one(three_reads, capsys):
    therapist, client = three_reads
    assert cli.main(["verify-audit"]) == 0
    out = capsys.readouterr().out
    with session_scope() as s:
        kept = audit.verify(s).head
    seq, digest = audit.parse_head(kept)
    assert seq == 3 and f"head {kept}" in out and f"--expect-head {kept}" in out
    with session_scope() as s:  # the trail grows; the kept head is still on it
        current(s, therapist, client.id, clinic_today())
    assert cli.main(["verify-audit", "--expect-head", kept]) == 0
    assert "runs through the head you kept (#3)" in capsys.readouterr().out
    # Someone with the key itself deletes a row and re-chains: only the kept head shows it.
    delete_row_two()
    rechain(keyed_with(audit._key()))
    with session_scope() as s:
        assert audit.verify(s).ok
        verdict = audit.verify(s, (seq, digest))
    assert not verdict.ok and "is not the head you kept" in verdict.message
    assert cli.main(["verify-audit", "--expect-head", kept]) == 2
    assert cli.main(["verify-audit", "--expect-head", "3:nothex"]) == 2
    assert "64 hex digits" in capsys.readouterr().err


def test_a_server_with_another_audit_key_neither_verifies_nor_seals(three_reads, monkeypatch,
                                                                    capsys):
    """So one misconfigured replica cannot break the chain for everyone."""
    therapist, client = three_reads
    with monkeypatch.context() as m:
        m.setenv("AUDIT_KEY", Fernet.generate_key().decode())
        get_settings.cache_clear()
        with session_scope() as s:
            assert "not sealed with this AUDIT_KEY" in audit.verify(s).message
        with pytest.raises(ConfigError, match="nothing was sealed"):
            with session_scope() as s:
                current(s, therapist, client.id, clinic_today())
        with session_scope() as s:  # the read is kept, unsealed, for a rightly keyed server
            assert s.exec(select(AuditEvent).where(AuditEvent.seq.is_(None))).one()
        assert cli.main(["check"]) == 2
        assert "AUDIT_KEY" in capsys.readouterr().err
    get_settings.cache_clear()
    audit.seal(get_engine())
    with session_scope() as s:
        assert audit.verify(s).ok and audit.verify(s).checked == 4


def _old_chain(conn, n: int) -> None:
    """`n` audit rows sealed as the previous release sealed them (plain SHA-256)."""
    insert_user_row(conn, "therapist", "t")
    prev, table = audit.GENESIS, AuditEvent.__table__
    for i in range(1, n + 1):
        at = datetime(2026, 1, 1, 9, i, tzinfo=timezone.utc)
        values = dict(at=at, actor_id=1, actor_role="therapist", action="read",
                      record_kind="checkin", client_id=None, detail=f"read {i}")
        row_id = conn.execute(sa.insert(table).values(**values)).inserted_primary_key[0]
        digest = old_digest(AuditEvent(id=row_id, seq=i, **values), prev)
        conn.execute(sa.update(table).where(table.c.id == row_id).values(
            seq=i, prev_hash=prev, row_hash=digest))
        prev = digest
    conn.execute(sa.text("UPDATE audit_seal SET last_seq = :n, last_hash = :h"),
                 {"n": n, "h": prev})


@pytest.mark.parametrize("tampered", [False, True])
def test_upgrade_reseals_an_older_chain_and_says_what_it_found(db_url, tampered):
    cfg = db.alembic_config(db_url)
    command.downgrade(cfg, "0014")
    engine = db.engine_for(db_url)
    with engine.begin() as conn:
        _old_chain(conn, 3)
        if tampered:
            conn.execute(sa.text("UPDATE audit_events SET detail = 'edited' WHERE seq = 2"))
    command.upgrade(cfg, "head")
    with session_scope() as s:
        verdict = audit.verify(s)
        reseal = s.exec(select(AuditEvent).where(AuditEvent.action == "reseal")).one()
    assert verdict.ok and verdict.checked == 4 and reseal.seq == 4
    assert reseal.actor_role == "system" and "re-sealed from genesis with AUDIT_KEY" in (
        reseal.detail)
    if tampered:
        assert "NOT intact: row #2 (id " in reseal.detail and "was altered" in reseal.detail
    else:
        assert "intact up to #3 (head " in reseal.detail
    with engine.connect() as conn:
        check = conn.execute(sa.text("SELECT key_check FROM audit_seal")).scalar()
    assert check == keys.check_value(audit._key(), "audit_key")
    command.downgrade(cfg, "0014")  # back to the unkeyed chain the old release verifies
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, prev_hash, row_hash FROM audit_events ORDER "
                                    "BY seq")).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4] and rows[0].prev_hash == audit.GENESIS
    command.upgrade(cfg, "head")
    with session_scope() as s:
        assert audit.verify(s).ok

