"""Settings from the environment or `.streamlit/secrets.toml`, with safe local defaults.

Precedence: environment variable, then `.streamlit/secrets.toml`, then a default. The cookie
signing key and the encryption key, when neither gives one, are generated once into
`data/.cookie_key` and `data/.encryption_key` (git-ignored).
"""
from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIN_COOKIE_KEY_CHARS = 32
KNOWN_WEAK_KEYS = {"some_key", "secret", "changeme", "change-me", "abcdef", "key"}


def _secrets_file() -> dict:
    path = Path(os.environ.get("COMPANION_SECRETS_FILE", ROOT / ".streamlit" / "secrets.toml"))
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _data_dir() -> Path:
    return Path(os.environ.get("COMPANION_DATA_DIR", ROOT / "data"))


def _generated_key(data_dir: Path, name: str, make) -> str:
    """A key made once for a local install, kept in a git-ignored file readable by us only."""
    key_file = data_dir / name
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return key_file.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(make())
    return key_file.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


@dataclass(frozen=True)
class Settings:
    database_url: str
    cookie_key: str
    encryption_key: str = ""
    old_encryption_keys: tuple[str, ...] = ()
    cookie_name: str = "iop_companion_auth"
    cookie_lifetime_hours: float = 8.0
    idle_timeout_minutes: float = 15.0
    clinic_timezone: str = "America/New_York"
    bcrypt_rounds: int = 12
    max_failed_logins: int = 5
    lockout_minutes: float = 15.0
    login_throttle_max_rows: int = 10_000  # rows without an active pause kept at most
    second_factor_trust_hours: float = 12.0  # a cookie issued after a code skips it this long


def _get(name: str, file_values: dict, default=None):
    env_name = name.upper()
    for key in (env_name, f"COMPANION_{env_name}"):
        if os.environ.get(key):
            return os.environ[key]
    return file_values.get(name.lower(), default)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read settings once per process (tests call `get_settings.cache_clear()`)."""
    values = _secrets_file()
    data_dir = _data_dir()
    database_url = _get("database_url", values) or f"sqlite:///{data_dir / 'companion.db'}"
    cookie_key = _get("cookie_key", values) or _generated_key(
        data_dir, ".cookie_key", lambda: secrets.token_urlsafe(48))
    encryption_key = _get("encryption_key", values) or _generated_key(
        data_dir, ".encryption_key", _fernet_key)
    old_keys = tuple(k.strip() for k in str(_get("old_encryption_keys", values, "")).split(",")
                     if k.strip())
    return Settings(
        database_url=database_url,
        cookie_key=cookie_key,
        encryption_key=encryption_key,
        old_encryption_keys=old_keys,
        cookie_lifetime_hours=float(_get("cookie_lifetime_hours", values, 8)),
        idle_timeout_minutes=float(_get("idle_timeout_minutes", values, 15)),
        clinic_timezone=_get("clinic_timezone", values, "America/New_York"),
        bcrypt_rounds=int(_get("bcrypt_rounds", values, 12)),
        login_throttle_max_rows=max(1, int(_get("login_throttle_max_rows", values, 10_000))),
        second_factor_trust_hours=float(_get("second_factor_trust_hours", values, 12)),
    )
