"""`companion backup` / `companion restore`: a consistent, encrypted copy while the app
writes, a restore only into an empty database (migrated when the backup is older) and only
with the key, and PostgreSQL refused with the pg_dump command to use instead."""
from __future__ import annotations

import io
import os
import sqlite3
import stat
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from companion import cli, demo
from companion.core import backup, crypto, db
from companion.core.config import get_settings
from companion.core.errors import CompanionError, InvalidInput
from companion.core.timeutil import UTCDateTime
from tests.conftest import ON_POSTGRES

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite backups; PostgreSQL uses pg_dump")


def counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def path_of(url: str) -> str:
    return url.split("///", 1)[1]


def opened(path) -> Path:
    """The SQLite file inside an encrypted backup, decrypted beside it for the test to read."""
    out = Path(f"{path}.opened")
    with open(path, "rb") as src, open(out, "wb") as dst:
        crypto.decrypt_stream(src, dst)
    return out


@pytest.fixture
def seeded(db_url) -> str:
    with db.session_scope() as session:
        demo.seed(session, "a quiet harbor at dawn 42")
    db.get_engine().dispose()
    return db_url


@sqlite_only
def test_round_trip_while_another_connection_holds_a_write_transaction(seeded, tmp_path):
    source = path_of(seeded)
    committed = counts(source)
    assert committed["users"] == 13 and committed["checkins"] > 100

    writer = sqlite3.connect(source, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # holds the write lock for the whole backup
    writer.execute("INSERT INTO login_throttle (username, failed_count, updated_at) "
                   "VALUES ('uncommitted-row', 1, '2026-01-01 00:00:00.000000')")
    try:
        copied = backup.backup(tmp_path / "copy.db")
    finally:
        writer.commit()
        writer.close()

    assert copied.rows == sum(committed.values()) and copied.tables == len(committed)
    assert counts(opened(tmp_path / "copy.db")) == committed  # the uncommitted row is not in it
    assert not (tmp_path / "copy.db.partial").exists()
    assert not (tmp_path / "copy.db-wal").exists()  # one self-contained file

    target = f"sqlite:///{tmp_path / 'restored' / 'companion.db'}"
    restored = backup.restore(tmp_path / "copy.db", url=target)
    assert restored.migrated_to is None and restored.warning == ""
    assert counts(path_of(target)) == committed
    with sa.create_engine(target).connect() as conn:
        assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


@sqlite_only
def test_backup_while_writing_is_one_consistent_snapshot(seeded, tmp_path):
    source = path_of(seeded)
    before = counts(source)
    first_commit, stop, written = threading.Event(), threading.Event(), []

    def write() -> None:  # bounded: at most 2,000 commits, until the backup is done
        conn = sqlite3.connect(source, timeout=10)
        try:
            for i in range(2000):
                if stop.is_set():
                    break
                with conn:
                    conn.execute("INSERT INTO login_throttle (username, failed_count, "
                                 "updated_at) VALUES (?, 0, '2026-01-01 00:00:00.000000')",
                                 (f"writer-{i}",))
                written.append(i)
                first_commit.set()
        finally:
            conn.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert first_commit.wait(timeout=10)
        backup.backup(tmp_path / "busy.db")
    finally:
        stop.set()
        thread.join(timeout=30)
    copy = counts(opened(tmp_path / "busy.db"))
    after = counts(source)
    assert before["login_throttle"] < copy["login_throttle"] <= after["login_throttle"]
    # The copy holds a prefix of the commits: writer-0 … writer-(k-1), no gaps.
    conn = sqlite3.connect(opened(tmp_path / "busy.db"))
    names = {r[0] for r in conn.execute(
        "SELECT username FROM login_throttle WHERE username LIKE 'writer-%'")}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert names == {f"writer-{i}" for i in range(len(names))}
    assert {t: n for t, n in copy.items() if t != "login_throttle"} == {
        t: n for t, n in before.items() if t != "login_throttle"}


@sqlite_only
def test_restore_refuses_a_target_with_accounts(seeded, tmp_path):
    backup.backup(tmp_path / "copy.db")
    before = counts(path_of(seeded))
    with pytest.raises(InvalidInput, match="already holds 13 account"):
        backup.restore(tmp_path / "copy.db", url=seeded)
    assert counts(path_of(seeded)) == before


@sqlite_only
def test_restore_into_an_empty_migrated_database(seeded, tmp_path):
    """`make run` on a new machine migrates first: that database has tables but no users."""
    backup.backup(tmp_path / "copy.db")
    target = f"sqlite:///{tmp_path / 'fresh.db'}"
    db.migrate(target)
    db.engine_for(target).dispose()
    backup.restore(tmp_path / "copy.db", url=target)
    assert counts(tmp_path / "fresh.db") == counts(opened(tmp_path / "copy.db"))


@sqlite_only
def test_an_older_backup_is_migrated_on_restore(tmp_path):
    old_url = f"sqlite:///{tmp_path / 'old.db'}"
    db.migrate(old_url, revision="0001")
    engine = db.make_engine(old_url)
    now = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)
    users = sa.table("users", *(sa.column(c) for c in (
        "username", "display_name", "role", "password_hash", "must_change_password",
        "is_active")), sa.column("sessions_valid_after", UTCDateTime()),
        sa.column("created_at", UTCDateTime()), sa.column("updated_at", UTCDateTime()))
    with engine.begin() as conn:
        conn.execute(users.insert().values(
            username="old-admin", display_name="Old Admin", role="admin", password_hash="x",
            must_change_password=False, is_active=True, sessions_valid_after=now,
            created_at=now, updated_at=now))
    engine.dispose()
    backup.backup(tmp_path / "old-copy.db", url=old_url)

    target = f"sqlite:///{tmp_path / 'new.db'}"
    restored = backup.restore(tmp_path / "old-copy.db", url=target)
    assert restored.revision == "0001" and restored.migrated_to not in (None, "0001")
    conn = sqlite3.connect(tmp_path / "new.db")
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        restored.migrated_to)
    assert conn.execute("SELECT username FROM users").fetchall() == [("old-admin",)]
    conn.close()
    assert "Migrated 0001 →" in backup.describe(restored, "Restored")


@sqlite_only
def test_refusals_leave_nothing_behind(seeded, tmp_path):
    backup.backup(tmp_path / "copy.db")
    with pytest.raises(InvalidInput, match="already exists"):
        backup.backup(tmp_path / "copy.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 10)
    target = f"sqlite:///{tmp_path / 'target.db'}"
    with pytest.raises(InvalidInput, match="is not a `companion backup` file"):
        backup.restore(tmp_path / "junk.db", url=target)
    with pytest.raises(InvalidInput, match="no backup file"):
        backup.restore(tmp_path / "missing.db", url=target)
    assert not (tmp_path / "target.db").exists()


@sqlite_only
def test_cli_backup_and_restore(seeded, tmp_path, capsys, monkeypatch):
    assert cli.main(["backup", str(tmp_path / "cli.db")]) == 0
    assert capsys.readouterr().out.startswith(f"Backed up to {tmp_path / 'cli.db'}: ")
    assert cli.main(["restore", str(tmp_path / "cli.db")]) == 2  # the live one has users
    err = capsys.readouterr().err
    assert err.startswith("companion restore: ") and err.count("\n") == 1

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    get_settings.cache_clear()
    assert cli.main(["restore", str(tmp_path / "cli.db")]) == 0
    assert "integrity check ok" in capsys.readouterr().out
    assert counts(tmp_path / "elsewhere.db") == counts(opened(tmp_path / "cli.db"))


@sqlite_only
def test_a_backup_is_encrypted_private_and_needs_its_key(seeded, tmp_path, monkeypatch):
    """Was: a plain SQLite copy, 0644, readable by anyone who found it."""
    copied = backup.backup(tmp_path / "copy.db")
    raw = (tmp_path / "copy.db").read_bytes()
    assert copied.encrypted and raw.startswith(crypto.STREAM_MAGIC)
    assert b"SQLite format 3" not in raw and b"demo-client1" not in raw
    assert stat.S_IMODE((tmp_path / "copy.db").stat().st_mode) == 0o600
    assert "a restore needs it" in backup.describe(copied, "Backed up to")

    key = get_settings().encryption_key
    monkeypatch.setenv("ENCRYPTION_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    with pytest.raises(InvalidInput, match="encrypted with another ENCRYPTION_KEY"):
        backup.restore(tmp_path / "copy.db", url=target)
    assert not (tmp_path / "restored.db").exists()
    assert not list(tmp_path.glob(".restore-*"))  # no decrypted leftovers
    monkeypatch.setenv("OLD_ENCRYPTION_KEYS", key)  # after a rotation: the old key opens it
    get_settings.cache_clear()
    assert backup.restore(tmp_path / "copy.db", url=target).rows == copied.rows


@sqlite_only
def test_an_altered_backup_is_refused_and_nothing_restored(seeded, tmp_path):
    backup.backup(tmp_path / "copy.db")
    raw = bytearray((tmp_path / "copy.db").read_bytes())
    raw[len(raw) // 2] ^= 1
    (tmp_path / "bad.db").write_bytes(bytes(raw))
    target = tmp_path / "target.db"
    with pytest.raises(InvalidInput, match="damaged or was altered"):
        backup.restore(tmp_path / "bad.db", url=f"sqlite:///{target}")
    assert not target.exists() or counts(target) == {}


@pytest.mark.parametrize("cut", ["last chunk", "a chunk boundary", "the header"])
def test_a_cut_stream_fails_its_check(cut):
    data = os.urandom(crypto.CHUNK * 2 + 1000)
    sealed = io.BytesIO()
    crypto.encrypt_stream(io.BytesIO(data), sealed)
    whole = sealed.getvalue()
    header = len(crypto.STREAM_MAGIC) + 19
    end = {"last chunk": len(whole) - 10, "a chunk boundary": header + 2 * (crypto.CHUNK + 16),
           "the header": header - 3}[cut]
    with pytest.raises(CompanionError):
        crypto.decrypt_stream(io.BytesIO(whole[:end]), io.BytesIO())
    out = io.BytesIO()
    crypto.decrypt_stream(io.BytesIO(whole), out)
    assert out.getvalue() == data


@sqlite_only
def test_a_plain_backup_from_an_earlier_release_still_restores(seeded, tmp_path):
    src = sqlite3.connect(path_of(seeded))
    out = sqlite3.connect(tmp_path / "old-style.db")
    src.backup(out)
    out.execute("PRAGMA journal_mode=DELETE")
    out.close()
    src.close()
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = backup.restore(tmp_path / "old-style.db", url=target)
    assert not restored.encrypted and "was not encrypted" in restored.warning
    assert counts(tmp_path / "restored.db") == counts(path_of(seeded))


def test_postgresql_is_refused_with_the_pg_dump_command(tmp_path, capsys, monkeypatch):
    url = "postgresql+psycopg://clinic:s3cret-pw@db.internal:5433/companion"
    with pytest.raises(InvalidInput) as refused:
        backup.backup(tmp_path / "x.dump", url=url)
    message = str(refused.value)
    assert ("pg_dump --format=custom --no-owner --file=PATH "
            "'postgresql://clinic@db.internal:5433/companion'") in message
    assert "pg_restore" in message and "s3cret" not in message and "\n" not in message
    with pytest.raises(InvalidInput, match="pg_restore"):
        backup.restore(tmp_path / "x.dump", url=url)

    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        assert cli.main(["backup", str(tmp_path / "x.dump")]) == 2
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1
    assert out.err.startswith("companion backup: this database is PostgreSQL: back it up "
                              "with pg_dump")
    assert not (tmp_path / "x.dump").exists()
