"""`companion backup PATH` and `companion restore PATH`: a consistent, encrypted copy of a
SQLite database taken while the app runs, and a restore into an empty database.

The copy uses SQLite's online backup API (`sqlite3.Connection.backup`) in one step: with the
database in WAL mode it reads one snapshot, so a save that is still in flight is either wholly
in the copy or wholly out of it, and the app's writers are not blocked meanwhile. The copy is
checked (`PRAGMA integrity_check`) and switched to a single self-contained file (no -wal/-shm)
in a private temporary file beside the database, then written to PATH as one encrypted
stream (AES-256-GCM, `companion.core.crypto.encrypt_stream`) under a key derived from
ENCRYPTION_KEY, 0600. The key is never in the backup: a backup without ENCRYPTION_KEY (or, after
a rotation, the old key in OLD_ENCRYPTION_KEYS) cannot be read or restored. Backups made by
earlier releases (plain SQLite files) still restore, with a warning.

PostgreSQL is refused with the `pg_dump` / `pg_restore` commands to use instead: they are the
right tools there (consistent snapshots, parallel restore) and this module would only be a
worse copy of them. Encrypt those dumps with the clinic's backup tooling.

Never keep a backup beside the keys (the keys folder, the env or secrets file): together they
are the whole record.
"""
from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from companion.core import crypto, files
from companion.core.errors import CompanionError, InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class Copied:
    path: Path
    tables: int
    rows: int
    revision: str | None
    size_bytes: int
    migrated_to: str | None = None
    warning: str = ""
    encrypted: bool = True


def _url(url: str | None) -> str:
    if url:
        return url
    from companion.core.config import get_settings

    return get_settings().database_url


def pg_commands(url: str, path: str | os.PathLike = "PATH") -> tuple[str, str]:
    """The pg_dump and pg_restore commands for `url`, without its password."""
    u = sa.make_url(url)
    who = f"{u.username}@" if u.username else ""
    where = f"{u.host or 'localhost'}{f':{u.port}' if u.port else ''}"
    plain = f"postgresql://{who}{where}/{u.database or ''}"  # never the password
    dump = f"pg_dump --format=custom --no-owner --file={path} '{plain}'"
    restore = f"pg_restore --no-owner --exit-on-error --dbname='{plain}' {path}"
    return dump, restore


def _sqlite_path(url: str, verb: str) -> Path:
    if url.startswith("postgresql"):
        dump, restore = pg_commands(url)
        if verb == "backup":
            raise InvalidInput(
                f"this database is PostgreSQL: back it up with pg_dump instead, e.g. `{dump}` "
                f"(restore into an empty database with `{restore}`; the password comes from "
                "PGPASSWORD or ~/.pgpass).")
        raise InvalidInput(
            f"this database is PostgreSQL: restore a pg_dump backup with pg_restore into an "
            f"empty database instead, e.g. `{restore}`, then run `companion migrate`.")
    if not url.startswith("sqlite"):
        raise InvalidInput(f"cannot {verb} a {url.split(':', 1)[0]} database; only SQLite "
                           "(or PostgreSQL with pg_dump).")
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:":
        raise InvalidInput(f"cannot {verb} an in-memory database.")
    return Path(path)


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _check(conn: sqlite3.Connection, what: str) -> None:
    verdict = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if verdict != ["ok"]:
        raise CompanionError(f"{what} failed SQLite's integrity check: {'; '.join(verdict[:3])}")


@contextmanager
def _scratch(folder: Path, what: str) -> Iterator[Path]:
    """A private temporary file in `folder` (the database's own, private folder), removed
    afterwards whatever happens."""
    path = folder / f".{what}-{secrets.token_hex(8)}.tmp"
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _snapshot(source: Path, out_path: Path) -> tuple[dict[str, int], str | None]:
    """One consistent, checked, self-contained copy of `source` at `out_path`."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        files.private_file(out_path)
        out = sqlite3.connect(out_path)
        try:
            # pages=-1: the whole database in one step, from one read snapshot. (Step-wise
            # copies restart whenever another connection writes, and may never finish.)
            src.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _check(out, "the backup copy")
            counts, revision = _counts(out), _revision(out)
            out.commit()
        finally:
            out.close()
    except sqlite3.Error as exc:
        raise CompanionError(f"the backup failed: {exc}") from exc
    finally:
        src.close()
    return counts, revision


def backup(dest: str | os.PathLike, url: str | None = None) -> Copied:
    """Copy the configured SQLite database to `dest` (a new file), encrypted, while the app
    runs."""
    url = _url(url)
    source = _sqlite_path(url, "backup")
    dest = Path(dest).expanduser()
    if not source.is_file():
        raise InvalidInput(f"there is no database at {source} to back up.")
    if dest.exists():
        raise InvalidInput(f"{dest} already exists; choose a new file name (nothing was "
                           "overwritten).")
    if dest.resolve() == source.resolve():
        raise InvalidInput("the backup must go to another file than the database itself.")
    if not dest.parent.is_dir():
        raise InvalidInput(f"the folder {dest.parent} does not exist.")
    crypto.encryption_keys()  # a clear error before any work if the key is unusable
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    with _scratch(source.parent, "backup") as plain:
        counts, revision = _snapshot(source, plain)
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(plain, "rb") as src, os.fdopen(fd, "wb") as out:
                crypto.encrypt_stream(src, out)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    if dest.exists():  # appeared meanwhile: never overwrite
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"{dest} already exists; choose a new file name.")
    os.replace(partial, dest)
    return Copied(dest, len(counts), sum(counts.values()), revision, dest.stat().st_size)


def _kind(path: Path) -> str:
    """"encrypted" (this release's backups) or "plain" (a SQLite file, older releases)."""
    if not path.is_file():
        raise InvalidInput(f"there is no backup file at {path}.")
    with open(path, "rb") as fh:
        head = fh.read(max(len(SQLITE_MAGIC), len(crypto.STREAM_MAGIC)))
    if crypto.is_encrypted_stream(head):
        return "encrypted"
    if head.startswith(SQLITE_MAGIC):
        return "plain"
    raise InvalidInput(f"{path} is not a `companion backup` file (neither an encrypted "
                       "backup nor a SQLite database).")


def _open_backup(path: Path, named: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        _check(conn, f"the backup {named}")
        if _revision(conn) is None:
            raise InvalidInput(f"{named} is not a companion database (no schema version in it).")
    except BaseException:
        conn.close()
        raise
    return conn


def _known_revisions() -> tuple[set[str], str]:
    from alembic.script import ScriptDirectory

    from companion.core.db import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {s.revision for s in scripts.walk_revisions()}, scripts.get_current_head()


def _users_in(target: Path) -> int:
    if not target.exists() or target.stat().st_size == 0:
        return 0
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=30)
    try:
        has_users = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                                 "name='users'").fetchone()
        return conn.execute("SELECT count(*) FROM users").fetchone()[0] if has_users else 0
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"the target {target} is not a readable SQLite database ({exc}); "
                           "move it aside and restore again.") from exc
    finally:
        conn.close()


def restore(src: str | os.PathLike, url: str | None = None) -> Copied:
    """Restore a `companion backup` file into the configured database, which must be empty
    (no accounts); then migrate it to this release's schema if the backup is older."""
    url = _url(url)
    target = _sqlite_path(url, "restore")
    src = Path(src).expanduser()
    kind = _kind(src)
    files.private_dir(target.parent)
    if kind == "plain":
        copied = _restore_plain(src, src, url, target)
        warning = ("Warning: this backup was not encrypted (made by an earlier release); "
                   "keep it as safe as the database, or replace it with a new backup.")
        return replace(copied, encrypted=False,
                       warning=" ".join(w for w in (warning, copied.warning) if w))
    with _scratch(target.parent, "restore") as plain:
        files.private_file(plain)
        try:
            with open(src, "rb") as fh, open(plain, "wb") as out:
                crypto.decrypt_stream(fh, out)
        except CompanionError as exc:
            raise InvalidInput(f"cannot open {src}: {exc}") from exc
        return _restore_plain(plain, src, url, target)


def _restore_plain(plain: Path, src: Path, url: str, target: Path) -> Copied:
    conn = _open_backup(plain, src)
    try:
        revision = _revision(conn)
        known, head = _known_revisions()
        if revision not in known:
            raise InvalidInput(f"the backup's schema ({revision}) is newer than this release "
                               f"knows (up to {head}); restore it with the release that made it.")
        counts = _counts(conn)
        users = _users_in(target)
        if users:
            raise InvalidInput(
                f"the target database {target} already holds {users} account(s); restore "
                "only into an empty database (stop the app, move that file aside, or point "
                "DATABASE_URL at a new file), so nothing is overwritten.")
        files.private_file(target)
        out = sqlite3.connect(target, timeout=30)
        try:
            conn.backup(out, pages=-1)  # replaces every page of the target, WAL included
            out.execute("PRAGMA journal_mode=WAL")
            _check(out, "the restored database")
            restored = _counts(out)
        finally:
            out.close()
    except sqlite3.Error as exc:
        raise CompanionError(f"the restore failed: {exc}") from exc
    finally:
        conn.close()
    missing = {t: (n, restored.get(t)) for t, n in counts.items() if restored.get(t) != n}
    if missing:
        raise CompanionError(f"the restore is incomplete (rows per table, backup vs restored: "
                             f"{missing}).")
    migrated_to = None
    if revision != head:
        from companion.core.db import engine_for, migrate

        migrate(url)
        engine_for(url).dispose()
        migrated_to = head
    return Copied(target, len(counts), sum(counts.values()), revision, target.stat().st_size,
                  migrated_to, _key_warning(url))


def _key_warning(url: str) -> str:
    """A warning when encrypted text in the restored database does not open with this key."""
    from sqlmodel import SQLModel

    import companion.models  # noqa: F401
    from companion.core.crypto import stored_text_opens
    from companion.core.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as c:
            opens = stored_text_opens(c, SQLModel.metadata)
    except sa.exc.SQLAlchemyError:
        return ""
    finally:
        engine.dispose()
    if opens is False:
        return ("Warning: encrypted text in this backup does not open with the current "
                "ENCRYPTION_KEY; set the key it was made with (and OLD_ENCRYPTION_KEYS) "
                "before serving.")
    return ""


def describe(copied: Copied, verb: str) -> str:
    size = f"{copied.size_bytes / 1_048_576:.1f} MB"
    line = (f"{verb} {copied.path}: {copied.rows} rows in {copied.tables} tables, schema "
            f"{copied.revision}, {size}; integrity check ok.")
    if copied.encrypted and verb.startswith("Backed up"):
        line += (" Encrypted with a key derived from ENCRYPTION_KEY: keep the key, never "
                 "beside the backup; a restore needs it.")
    if copied.migrated_to:
        line += f" Migrated {copied.revision} → {copied.migrated_to}."
    if copied.warning:
        line += " " + copied.warning
    return line
