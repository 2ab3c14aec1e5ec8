"""Where the keys live and what a usable key looks like: the one design for every key.

| setting | signs or protects | format |
|---|---|---|
| `COOKIE_KEY` | the re-login cookie | at least 32 random characters |
| `ENCRYPTION_KEY` | text at rest, and (derived) backups | a Fernet key: `companion new-key` |
| `OLD_ENCRYPTION_KEYS` | previous encryption keys, while `rotate-key` runs | Fernet keys, commas |
| `LABEL_HASH_KEY` | the keyed hash that counts encrypted labels | a Fernet-format key |
| `AUDIT_KEY` | the audit trail's HMAC chain | a Fernet-format key |

Each comes from the environment, else `.streamlit/secrets.toml`, else (SQLite only, so a fresh
`make run` just works) a file generated once in the keys folder: `COMPANION_KEYS_DIR`, by
default `keys/` in the checkout, never inside the data folder, so a copy of the data folder
or a backup carries no key. Folder 0700, files 0600. On PostgreSQL every replica must hold the
same keys, so none is generated: they must come from the environment or the secrets file.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from companion.core.errors import ConfigError

MIN_COOKIE_KEY_CHARS = 32
# Placeholders people paste from examples; long enough never to occur in a random key.
PLACEHOLDERS = ("changeme", "change-me", "change_me", "example", "replace", "placeholder",
                "secret", "password", "some_key")
LEGACY_FILES = {"cookie_key": ".cookie_key", "encryption_key": ".encryption_key"}


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


@dataclass(frozen=True)
class KeySpec:
    setting: str            # lower-case name in secrets.toml; upper-case in the environment
    file: str               # its file in the keys folder when generated (SQLite only)
    kind: str               # "cookie" or "fernet"
    make: Callable[[], str]

    @property
    def env(self) -> str:
        return self.setting.upper()


KEYS = (KeySpec("cookie_key", "cookie.key", "cookie", lambda: secrets.token_urlsafe(48)),
        KeySpec("encryption_key", "encryption.key", "fernet", _fernet_key),
        KeySpec("label_hash_key", "label-hash.key", "fernet", _fernet_key),
        KeySpec("audit_key", "audit.key", "fernet", _fernet_key))
SPECS = {spec.setting: spec for spec in KEYS}


def keys_dir(root: Path) -> Path:
    return Path(os.environ.get("COMPANION_KEYS_DIR") or root / "keys").expanduser()


def _read(path: Path) -> str:
    return path.read_text(encoding="ascii").strip()


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def generated(folder: Path, spec: KeySpec, legacy_dir: Path | None = None) -> str:
    """The key kept in `folder` for a local install: made once (0600 in a 0700 folder), or
    moved there from the data folder, where releases before this one kept it."""
    path = folder / spec.file
    if path.is_file():
        return _read(path)
    try:
        _private_dir(folder)
    except OSError as exc:
        raise ConfigError(f"cannot create the keys folder {folder} ({exc.strerror}): set "
                          f"COMPANION_KEYS_DIR to a private folder, or give {spec.env} in the "
                          "environment or .streamlit/secrets.toml") from exc
    legacy = legacy_dir / LEGACY_FILES[spec.setting] if (
        legacy_dir and spec.setting in LEGACY_FILES) else None
    value = _read(legacy) if legacy is not None and legacy.is_file() else spec.make()
    # Written whole under another name, then linked into place: a process starting at the
    # same moment either links first or reads the complete file, never an empty one.
    scratch = folder / f".{spec.file}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        with os.fdopen(os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w",
                       encoding="ascii") as fh:
            fh.write(value + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(scratch, path)
        except FileExistsError:  # another process made it first: theirs counts
            pass
    finally:
        scratch.unlink(missing_ok=True)
    if legacy is not None and legacy.is_file() and _read(legacy) == _read(path):
        legacy.unlink()  # moved: the data folder holds no key any more
    return _read(path)


# --- what a usable key looks like --------------------------------------------------------------

def _placeholder(value: str) -> bool:
    low = value.lower()
    return any(p in low for p in PLACEHOLDERS) or len(set(value)) < 10


def fernet_bytes(value: str) -> bytes | None:
    """The 32 bytes of a Fernet-format key, or None if `value` is not one."""
    try:
        raw = base64.b64decode(value.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw if len(raw) == 32 else None


def problem(name: str, value: str, kind: str) -> str | None:
    """Why `value` can't serve as the key `name` (one line), or None if it can."""
    if not value:
        return f"{name} is not set"
    if kind == "cookie":
        if len(value) < MIN_COOKIE_KEY_CHARS or _placeholder(value):
            return (f"{name} must be at least {MIN_COOKIE_KEY_CHARS} random characters "
                    "(not a placeholder)")
        return None
    if fernet_bytes(value) is None or _placeholder(value):
        return (f"{name} is not a valid key (it must be 32 url-safe base64-encoded bytes, "
                "as `companion new-key` prints)")
    return None


def require(name: str, value: str, kind: str = "fernet") -> str:
    """`value` if usable as the key `name`; else a ConfigError an operator can act on."""
    found = problem(name, value, kind)
    if found:
        raise ConfigError(f"{found}; set it in the environment or .streamlit/secrets.toml "
                          "(the same on every replica). `companion check` lists every key "
                          "problem.")
    return value


def problems(values: dict[str, str], old_keys: tuple[str, ...], on_postgres: bool,
             streamlit_cookie_secret: str | None) -> list[str]:
    """Every key problem, one line each; empty when every key is usable."""
    found = []
    missing = [SPECS[s].env for s, v in values.items() if not v]
    if missing and on_postgres:
        found.append(f"on PostgreSQL every replica needs the same keys, so none is generated: "
                     f"set {', '.join(missing)} in the environment or .streamlit/secrets.toml "
                     "(`companion new-key` makes one)")
    for setting, value in values.items():
        if value or not on_postgres:
            line = problem(SPECS[setting].env, value, SPECS[setting].kind)
            if line:
                found.append(line)
    for i, old in enumerate(old_keys, 1):
        line = problem(f"OLD_ENCRYPTION_KEYS key {i}", old, "fernet")
        if line:
            found.append(line)
    if streamlit_cookie_secret is not None:
        line = problem("server.cookieSecret (STREAMLIT_SERVER_COOKIE_SECRET)",
                       streamlit_cookie_secret, "cookie")
        if line:
            found.append(line)
    given = [(SPECS[s].env, v) for s, v in values.items() if v]
    for i, (name, value) in enumerate(given):
        for other, other_value in given[i + 1:]:
            if hmac.compare_digest(value, other_value):
                found.append(f"{name} and {other} must be different keys")
    return found


def check_value(key: bytes, purpose: str) -> str:
    """A short public check of a key, stored beside what it protects, so a replica with the
    wrong key is named as such (the check reveals nothing of the key)."""
    return hmac.new(key, f"iop-companion key check: {purpose}".encode(),
                    hashlib.sha256).hexdigest()[:32]
