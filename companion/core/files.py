"""Files at rest: the database, its WAL and SHM, the keys and backups are readable by the
app's own user only (0600, in 0700 folders).

Every entry point (the app, the CLI) starts with `private_umask()`, so whatever the process
creates is private; the SQLite file is created 0600 before SQLite opens it (its -wal and -shm
take the database file's mode). `companion check` lists any file or folder others can read
(`problems`), and `companion check --repair` tightens them (`repair`).
"""
from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from companion.core import keys

FILE_MODE, DIR_MODE = 0o600, 0o700


def private_umask() -> None:
    """New files 0600 and folders 0700, whatever the caller's shell had."""
    os.umask(0o077)


def private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 if it does not exist yet (never truncates)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass


def sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


@dataclass(frozen=True)
class Loose:
    path: Path
    mode: int
    want: int

    def __str__(self) -> str:
        return f"{self.path} ({self.mode:o}, want {self.want:o})"


def _check(path: Path, want: int, found: list[Loose]) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        found.append(Loose(path, mode, want))


def _inside(inner: Path, outer: Path) -> bool:
    try:
        inner.resolve().relative_to(outer.resolve())
        return True
    except ValueError:
        return False


def loose(settings, keys_dir: Path, secrets_file: Path) -> list[Loose]:
    """Every private file or folder that its group or others can read or enter."""
    found: list[Loose] = []
    db = sqlite_path(settings.database_url)
    if db is not None:
        _check(db.parent, DIR_MODE, found)
        for suffix in ("", "-wal", "-shm", "-journal"):
            _check(db.with_name(db.name + suffix), FILE_MODE, found)
    if keys_dir.is_dir():
        _check(keys_dir, DIR_MODE, found)
        for path in sorted(keys_dir.iterdir()):
            _check(path, FILE_MODE, found)
    _check(secrets_file, FILE_MODE, found)
    return found


def stray_keys(data_dir: Path) -> list[Path]:
    """Key files of earlier releases still inside the data folder (unused: see keys.py)."""
    return [data_dir / name for name in keys.LEGACY_FILES.values() if (data_dir / name).is_file()]


def problems(settings, data_dir: Path, keys_dir: Path, secrets_file: Path) -> list[str]:
    """One line per kind of problem, each saying how to fix it."""
    found = []
    db = sqlite_path(settings.database_url)
    if db is not None and _inside(keys_dir, db.parent):
        found.append(f"the keys folder {keys_dir} is inside the database's folder "
                     f"{db.parent}: a copy of that folder would carry the keys; set "
                     "COMPANION_KEYS_DIR to a folder outside it")
    stray = stray_keys(data_dir)
    if stray:
        found.append(f"key files inside the data folder ({', '.join(map(str, stray))}): "
                     "`companion check --repair` moves them to the keys folder")
    others = loose(settings, keys_dir, secrets_file)
    if others:
        found.append("readable by other users: " + ", ".join(map(str, others)) +
                     " (`companion check --repair` makes them 0600 / 0700)")
    return found


def repair(settings, data_dir: Path, keys_dir: Path, secrets_file: Path) -> list[str]:
    """Tighten every loose mode and move stray key files out of the data folder; returns
    what was done, one short line each."""
    done = []
    for path in stray_keys(data_dir):
        private_dir(keys_dir)
        target = keys_dir / f"from-data-folder{path.name}"
        if target.exists():
            raise FileExistsError(f"{target} exists; move {path} out of the data folder by hand")
        shutil.move(path, target)
        os.chmod(target, FILE_MODE)
        done.append(f"moved {path} to {target}")
    for item in loose(settings, keys_dir, secrets_file):
        os.chmod(item.path, item.want)
        done.append(f"{item.path} {item.mode:o} → {item.want:o}")
    return done
