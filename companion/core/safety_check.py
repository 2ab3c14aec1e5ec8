"""Start-up check: refuse to serve with unsafe Streamlit options or a missing, malformed or
shared key."""
from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

from companion.core import config, files, keys
from companion.core.config import Settings

REQUIRED_OPTIONS: dict[str, Any] = {
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "server.enableStaticServing": False,
    "server.enableAgentApi": False,  # an HTTP/MCP API that drives the app without a browser
    "server.headless": True,  # otherwise a first start in a terminal asks for an email to send
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "none",  # legacy `false` still shows tracebacks
    "client.showErrorLinks": False,  # "search this error" links to outside sites
    "browser.gatherUsageStats": False,
}
# Not a safety matter, so never a refusal: options the app is measured with (bench/soak.py,
# bench/load.py); `companion check` names any that differ.
EXPECTED_OPTIONS: dict[str, Any] = {
    "runner.postScriptGC": False,  # a full collection after every run: most of a save's CPU
}
MAX_UPLOAD_MB = 10
# Set (to 1) only when the proxy runs on another machine and only it can reach this address.
ALLOW_PUBLIC_BIND = "ALLOW_PUBLIC_BIND"
WILDCARD_ADDRESSES = {"0.0.0.0", "::", "[::]"}
THEME_SECTIONS = ("theme", "theme.sidebar", "theme.light", "theme.dark", "theme.light.sidebar",
                  "theme.dark.sidebar")
USER_CONFIG = Path("~/.streamlit/config.toml")  # Streamlit reads it before the project's
FONT_OPTIONS = tuple(f"{section}.{name}" for section in THEME_SECTIONS
                     for name in ("font", "headingFont", "codeFont"))


def problems(get_option: Callable[[str], Any], settings: Settings,
             environ: Mapping[str, str] = os.environ) -> list[str]:
    """Every unsafe setting, in words an operator can act on; empty when safe to serve."""
    found = [f"{name} must be {want!r} (it is {get_option(name)!r})"
             for name, want in REQUIRED_OPTIONS.items()
             if _norm(get_option(name)) != _norm(want)]
    if get_option("server.maxUploadSize") > MAX_UPLOAD_MB:
        found.append(f"server.maxUploadSize must be at most {MAX_UPLOAD_MB} MB")
    found += network_problems(get_option, environ)
    return found + key_problems(get_option, settings) + at_rest_problems(settings)


def performance_notes(get_option: Callable[[str], Any]) -> list[str]:
    """Options set otherwise than the app is measured with (slower, not unsafe)."""
    return [f"{name} is {get_option(name)!r}; the app is measured with {want!r} (see "
            "bench/README.md)" for name, want in EXPECTED_OPTIONS.items()
            if _norm(get_option(name)) != _norm(want)]


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


def network_problems(get_option: Callable[[str], Any],
                     environ: Mapping[str, str] = os.environ) -> list[str]:
    """Where the server listens, and every option that makes it or its pages reach outside."""
    found = []
    address = _address_problem(get_option("server.address"), environ)
    if address:
        found.append(address)
    server_address = get_option("browser.serverAddress")
    if server_address and not _is_loopback(_hostname(server_address)):
        found.append(f"browser.serverAddress {server_address!r} adds a host whose pages may open "
                     "the app's websocket: leave it unset (behind a proxy the browser's origin "
                     "matches the Host header the proxy forwards)")
    for name, why in (("server.corsAllowedOrigins", "may open the app's websocket"),
                      ("client.allowedOrigins", "may drive the app when they embed it")):
        if get_option(name):
            found.append(f"{name} must be [] (the sites in it {why}); set it to [] in "
                         ".streamlit/config.toml")
    if _norm(get_option("global.developmentMode")) == "true":
        found.append("global.developmentMode must be false (it accepts websockets from any site)")
    base = get_option("theme.base")
    if _is_remote(base):
        found.append(f"theme.base {base!r} is fetched from another site at every start: use "
                     "\"light\", \"dark\" or a theme file in the project")
    for name in FONT_OPTIONS:
        if _is_remote(get_option(name)):
            found.append(f"{name} {get_option(name)!r} makes every browser load a font from "
                         "another site: name a font family the browser has")
    for face in get_option("theme.fontFaces") or []:
        url = face.get("url") if isinstance(face, Mapping) else face
        if _is_remote(url):
            found.append(f"theme.fontFaces makes every browser load {url!r} from another site: "
                         "remove it")
    components = get_option("server.customComponentBaseUrlPath")
    if _is_remote(components):
        found.append(f"server.customComponentBaseUrlPath {components!r} makes every browser "
                     "load the app's components from another site: leave it unset")
    return found


def _address_problem(address: Any, environ: Mapping[str, str]) -> str | None:
    value = str(address or "").strip()
    if not value:
        return ("server.address is not set, so Streamlit listens on every interface and asks "
                "checkip.amazonaws.com for this machine's address at start: set "
                "server.address = \"127.0.0.1\" in .streamlit/config.toml")
    if value.startswith("unix://") or _is_loopback(value):
        return None
    if value in WILDCARD_ADDRESSES:
        return (f"server.address {value!r} listens on every interface and makes Streamlit ask "
                "checkip.amazonaws.com for this machine's address at start: name one address "
                "(127.0.0.1 behind a proxy on this machine)")
    if _allowed_public_bind(environ):
        return None
    return (f"server.address {value!r} is not a loopback address: serve on 127.0.0.1 behind a "
            f"proxy on this machine, or set {ALLOW_PUBLIC_BIND}=1 when the proxy runs on another "
            "machine and only it can reach this address")


def _allowed_public_bind(environ: Mapping[str, str]) -> bool:
    return any(environ.get(name, "").strip().lower() in ("1", "true", "yes")
               for name in (ALLOW_PUBLIC_BIND, f"COMPANION_{ALLOW_PUBLIC_BIND}"))


def _is_loopback(host: str | None) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _hostname(address: str) -> str | None:
    address = str(address).strip()
    return urlparse(address if "://" in address else f"//{address}").hostname


def _is_remote(value: Any) -> bool:
    """A URL naming a host (`scheme://host…`, `//host…`, alone or in "Family:URL")."""
    if not isinstance(value, str):
        return False
    return "//" in value


def _norm(value: Any) -> Any:
    return str(value).lower() if isinstance(value, (bool, str)) else value


def config_file_options(path, environ: Mapping[str, str] | None = None,
                        global_path: Path | None = USER_CONFIG) -> Callable[[str], Any]:
    """Options as `streamlit run` would see them without flags, for the CLI check: Streamlit's
    default, then the user's ~/.streamlit/config.toml, then `path`, then STREAMLIT_* variables."""
    import tomllib

    from streamlit import config

    environ = os.environ if environ is None else environ
    files = []
    for file in (global_path, path):
        if file is not None and Path(file).expanduser().is_file():
            with Path(file).expanduser().open("rb") as fh:
                files.append(tomllib.load(fh))

    def get(name: str) -> Any:
        option = config._config_options_template.get(name)
        if option is not None and option.env_var in environ:
            return _from_env(environ[option.env_var], option)
        for raw in reversed(files):
            found, value = _lookup(raw, name)
            if found:
                return value
        return option.default_val if option is not None else None

    return get


def _lookup(raw: dict, name: str) -> tuple[bool, Any]:
    node: Any = raw
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _from_env(raw: str, option) -> Any:
    """An environment value as Streamlit's command line reads it (click's types)."""
    import click

    if option.multiple:
        return raw.split()
    if option.type is bool:
        return click.BOOL.convert(raw, None, None)
    if option.type in (int, float):
        return option.type(raw)
    return raw
