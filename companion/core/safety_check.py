"""Start-up check: refuse to serve with unsafe Streamlit options or a weak cookie key."""
from __future__ import annotations

from typing import Any, Callable

from companion.core.config import KNOWN_WEAK_KEYS, MIN_COOKIE_KEY_CHARS, Settings

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
    key = settings.cookie_key or ""
    if len(key) < MIN_COOKIE_KEY_CHARS or key.lower() in KNOWN_WEAK_KEYS:
        found.append(f"the cookie key must be at least {MIN_COOKIE_KEY_CHARS} random characters "
                     "(set COOKIE_KEY or cookie_key in .streamlit/secrets.toml, or remove both "
                     "to have one generated)")
    return found


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
