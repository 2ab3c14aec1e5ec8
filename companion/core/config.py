"""Settings from the environment or `.streamlit/secrets.toml`, with safe local defaults.

Precedence: environment variable, then `.streamlit/secrets.toml`, then a default. Keys (cookie,
encryption, label-hash, audit) follow `companion.core.keys`: on SQLite a missing key is
generated once into the keys folder (apart from the data folder); on PostgreSQL none is.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from companion.core import keys

ROOT = Path(__file__).resolve().parents[2]


def secrets_path() -> Path:
    return Path(os.environ.get("COMPANION_SECRETS_FILE", ROOT / ".streamlit" / "secrets.toml"))


def _secrets_file() -> dict:
    path = secrets_path()
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def data_dir() -> Path:
    return Path(os.environ.get("COMPANION_DATA_DIR", ROOT / "data"))


def keys_dir() -> Path:
    return keys.keys_dir(ROOT)


@dataclass(frozen=True)
class Settings:
    database_url: str
    cookie_key: str
    encryption_key: str = ""
    old_encryption_keys: tuple[str, ...] = ()
    label_hash_key: str = ""
    audit_key: str = ""
    cookie_name: str = "iop_companion_auth"
    cookie_lifetime_hours: float = 8.0
    idle_timeout_minutes: float = 15.0
    clinic_timezone: str = "America/New_York"
    bcrypt_rounds: int = 12
    # Password checks one process runs at once (bcrypt leaves Python's lock while it hashes).
    # More than the cores minus one would take the core the other sessions' page runs need:
    # at 20 sign-ins at once, saves waited behind them for CPU (issue 16).
    bcrypt_parallel: int = 1
    max_failed_logins: int = 5
    lockout_minutes: float = 15.0
    login_throttle_max_rows: int = 10_000  # rows without an active pause kept at most
    second_factor_trust_hours: float = 12.0  # a cookie issued after a code skips it this long
    # Passkeys (WebAuthn): the relying party is the clinic's host name, and the origins its
    # pages are served from. Unset: `localhost` and http://localhost:8501 (a local run).
    passkey_rp_id: str = "localhost"
    passkey_origins: tuple[str, ...] = ()

    @property
    def passkey_expected_origins(self) -> tuple[str, ...]:
        if self.passkey_origins:
            return self.passkey_origins
        if self.passkey_rp_id == "localhost":
            return ("http://localhost:8501",)
        return (f"https://{self.passkey_rp_id}",)

    @property
    def on_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def key_values(self) -> dict[str, str]:
        return {spec.setting: getattr(self, spec.setting) for spec in keys.KEYS}


def _get(name: str, file_values: dict, default=None):
    env_name = name.upper()
    for key in (env_name, f"COMPANION_{env_name}"):
        if os.environ.get(key):
            return os.environ[key]
    return file_values.get(name.lower(), default)


def _key(spec: keys.KeySpec, values: dict, on_postgres: bool) -> str:
    given = str(_get(spec.setting, values, "") or "").strip()
    if given or on_postgres:  # replicas share keys: never a per-machine file
        return given
    return keys.generated(keys_dir(), spec, legacy_dir=data_dir())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read settings once per process (tests call `get_settings.cache_clear()`)."""
    values = _secrets_file()
    database_url = _get("database_url", values) or f"sqlite:///{data_dir() / 'companion.db'}"
    on_postgres = database_url.startswith("postgresql")
    found = {spec.setting: _key(spec, values, on_postgres) for spec in keys.KEYS}
    old_keys = tuple(k.strip() for k in str(_get("old_encryption_keys", values, "")).split(",")
                     if k.strip())
    return Settings(
        database_url=database_url,
        **found,
        old_encryption_keys=old_keys,
        cookie_lifetime_hours=float(_get("cookie_lifetime_hours", values, 8)),
        idle_timeout_minutes=float(_get("idle_timeout_minutes", values, 15)),
        clinic_timezone=_get("clinic_timezone", values, "America/New_York"),
        bcrypt_rounds=int(_get("bcrypt_rounds", values, 12)),
        bcrypt_parallel=max(1, int(_get("bcrypt_parallel", values,
                                        max(1, (os.cpu_count() or 2) - 1)))),
        login_throttle_max_rows=max(1, int(_get("login_throttle_max_rows", values, 10_000))),
        second_factor_trust_hours=float(_get("second_factor_trust_hours", values, 12)),
        passkey_rp_id=str(_get("passkey_rp_id", values, "localhost")).strip().lower(),
        passkey_origins=tuple(o.strip().rstrip("/") for o in str(
            _get("passkey_origins", values, "")).split(",") if o.strip()),
    )
