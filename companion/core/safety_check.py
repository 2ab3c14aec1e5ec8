"""Start-up check: refuse to serve with unsafe Streamlit options or a missing, malformed or
shared key."""
from __future__ import annotations

import os
from typing import Any, Callable

from companion.core import config, files, keys
from companion.core.config import Settings

REQUIRED_OPTIONS: dict[str, Any] = {
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "server.enableStaticServing": False,
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "none",  # legacy `false` still shows tracebacks
    "browser.gatherUsageStats": False,
}
MAX_UPLOAD_MB = 10


def problems(get_option: Callable[[str], Any], settings: Settings) -> list[str]:
    """Every unsafe setting, in words an operator can act on; empty when safe to serve."""
    found = [f"{name} must be {want!r} (it is {get_option(name)!r})"
             for name, want in REQUIRED_OPTIONS.items()
             if _norm(get_option(name)) != _norm(want)]
    if get_option("server.maxUploadSize") > MAX_UPLOAD_MB:
        found.append(f"server.maxUploadSize must be at most {MAX_UPLOAD_MB} MB")
    return found + key_problems(get_option, settings) + at_rest_problems(settings)


def key_problems(get_option: Callable[[str], Any], settings: Settings) -> list[str]:
    """Every key that is missing (on PostgreSQL), malformed, a placeholder or reused for two
    purposes, Streamlit's own cookie secret included (see `companion.core.keys`)."""
    streamlit_secret = (os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET")
                        or get_option("server.cookieSecret"))
    return keys.problems(settings.key_values(), settings.old_encryption_keys,
                         settings.on_postgres, str(streamlit_secret) if streamlit_secret else None)


def at_rest_problems(settings: Settings) -> list[str]:
    """Database, WAL, keys and secrets readable by other users, or keys inside the data."""
    return files.problems(settings, config.data_dir(), config.keys_dir(), config.secrets_path())


def repair_at_rest(settings: Settings) -> list[str]:
    return files.repair(settings, config.data_dir(), config.keys_dir(), config.secrets_path())


def _norm(value: Any) -> Any:
    return str(value).lower() if isinstance(value, (bool, str)) else value


def config_file_options(path) -> Callable[[str], Any]:
    """Read options from a config.toml the way Streamlit would, for the CLI check."""
    import tomllib

    with open(path, "rb") as fh:
        raw = tomllib.load(fh)

    def get(name: str) -> Any:
        section, key = name.split(".", 1)
        return raw.get(section, {}).get(key)

    return get
