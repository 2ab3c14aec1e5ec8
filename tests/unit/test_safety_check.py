"""The server refuses to serve with unsafe options or a missing, malformed or shared key."""
import dataclasses
import os

import pytest
from cryptography.fernet import Fernet

from companion import cli
from companion.core import crypto
from companion.core.config import ROOT, get_settings
from companion.core.errors import ConfigError
from companion.core.safety_check import (FONT_OPTIONS, REQUIRED_OPTIONS, config_file_options,
                                         network_problems, performance_notes, problems)
from tests.conftest import actor

SHIPPED_FILE = ROOT / ".streamlit" / "config.toml"
SHIPPED = config_file_options(SHIPPED_FILE, environ={}, global_path=None)


def test_shipped_config_is_safe():
    assert problems(SHIPPED, get_settings()) == []


@pytest.mark.parametrize("name", list(REQUIRED_OPTIONS))
def test_each_weakened_option_is_refused(name):
    def weakened(option):
        value = SHIPPED(option)
        if option != name:
            return value
        return "auto" if isinstance(value, str) else not value

    found = problems(weakened, get_settings())
    assert len(found) == 1 and name in found[0]


def test_large_uploads_are_refused():
    found = problems(lambda o: 200 if o == "server.maxUploadSize" else SHIPPED(o), get_settings())
    assert any("maxUploadSize" in f for f in found)


@pytest.mark.parametrize("key", ["", "some_key", "short-key-1234", "x" * 31])
def test_default_or_short_cookie_key_is_refused(key):
    settings = dataclasses.replace(get_settings(), cookie_key=key)
    assert any("COOKIE_KEY" in f for f in problems(SHIPPED, settings))


KEY_NAMES = ["COOKIE_KEY", "ENCRYPTION_KEY", "LABEL_HASH_KEY", "AUDIT_KEY"]


@pytest.fixture
def local_install(tmp_path, monkeypatch):
    """A fresh local install: no key in the environment or secrets file, SQLite."""
    for name in (*KEY_NAMES, "OLD_ENCRYPTION_KEYS", "DATABASE_URL",
                 "STREAMLIT_SERVER_COOKIE_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPANION_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("COMPANION_SECRETS_FILE", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_generated_keys_are_kept_private_and_apart_from_the_data(local_install):
    first = get_settings()
    get_settings.cache_clear()
    again = get_settings()
    assert again.cookie_key == first.cookie_key and len(first.cookie_key) >= 48
    keys_dir = local_install / "keys"
    assert keys_dir.stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in keys_dir.iterdir()) == [
        "audit.key", "cookie.key", "encryption.key", "label-hash.key"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in keys_dir.iterdir())
    assert not (local_install / "data").exists() or not any(
        "key" in p.name for p in (local_install / "data").iterdir())
    assert problems(SHIPPED, again) == []
    assert len({again.cookie_key, again.encryption_key, again.label_hash_key,
                again.audit_key}) == 4


def test_keys_from_an_older_release_move_out_of_the_data_folder(local_install):
    data = local_install / "data"
    data.mkdir()
    old_key = Fernet.generate_key().decode()
    (data / ".encryption_key").write_text(old_key)
    (data / ".cookie_key").write_text("k" * 20 + "0123456789abcdefghijklmnop")
    assert get_settings().encryption_key == old_key  # what its text was encrypted with
    assert (local_install / "keys" / "encryption.key").read_text().strip() == old_key
    assert not (data / ".encryption_key").exists() and not (data / ".cookie_key").exists()


@pytest.mark.parametrize("name", [*KEY_NAMES, "OLD_ENCRYPTION_KEYS",
                                  "STREAMLIT_SERVER_COOKIE_SECRET"])
def test_a_placeholder_key_is_refused_in_one_line(local_install, monkeypatch, capsys, name):
    """Was: `companion check` passed with ENCRYPTION_KEY=CHANGE-ME, and the first save
    failed with Fernet's ValueError."""
    monkeypatch.setenv(name, "CHANGE-ME")
    get_settings.cache_clear()
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    named = {"OLD_ENCRYPTION_KEYS": "OLD_ENCRYPTION_KEYS key 1",
             "STREAMLIT_SERVER_COOKIE_SECRET": "server.cookieSecret"}.get(name, name + " ")
    assert err.count("\n") == 1 and named in err
    assert err.startswith("companion check: unsafe settings: ")


@pytest.mark.parametrize("value", ["x" * 44, "dHdlbnR5LW5pbmUgYnl0ZXMsIG5vdCBhIGtleQ==",  # 28 bytes
                                   "not base64 at all, but long enough to pass a length test"])
def test_a_malformed_encryption_key_is_named_not_a_fernet_error(local_install, monkeypatch,
                                                                value):
    monkeypatch.setenv("ENCRYPTION_KEY", value)
    get_settings.cache_clear()
    assert any(f.startswith("ENCRYPTION_KEY is not a valid key")
               for f in problems(SHIPPED, get_settings()))
    with pytest.raises(ConfigError, match="ENCRYPTION_KEY is not a valid key"):
        crypto.encrypt("anything")


def test_one_key_for_two_purposes_is_refused(local_install, monkeypatch):
    shared = Fernet.generate_key().decode()
    monkeypatch.setenv("LABEL_HASH_KEY", shared)
    monkeypatch.setenv("AUDIT_KEY", shared)
    get_settings.cache_clear()
    assert problems(SHIPPED, get_settings()) == [
        "LABEL_HASH_KEY and AUDIT_KEY must be different keys"]


def test_postgresql_needs_every_key_from_the_environment(local_install, monkeypatch, capsys):
    """Was: with no keys set, each PostgreSQL replica silently wrote its own keys into its
    data folder, so two machines encrypted and signed with different keys."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/none")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.key_values() == dict.fromkeys(
        ["cookie_key", "encryption_key", "label_hash_key", "audit_key"], "")
    assert not (local_install / "keys").exists() and not (local_install / "data").exists()
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "on PostgreSQL every replica needs the same keys" in err
    assert all(name in err for name in KEY_NAMES)
    with pytest.raises(ConfigError, match="ENCRYPTION_KEY is not set"):
        crypto.encrypt("anything")
    for name in KEY_NAMES:
        monkeypatch.setenv(name, Fernet.generate_key().decode())
    get_settings.cache_clear()
    assert problems(SHIPPED, get_settings()) == []


def test_cookie_key_is_never_committed():
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".cookie_key" not in tracked and "secrets.toml" not in tracked
    assert not any(line.startswith("keys/") for line in tracked.splitlines())
    ignored = subprocess.run(["git", "check-ignore", "keys/audit.key"], cwd=ROOT,
                             capture_output=True, text=True)
    assert ignored.returncode == 0


# -- where the server listens, and what reaches outside ----------------------------------------

def with_options(**changed):
    """The shipped options with some replaced (keys use "__" for ".")."""
    changed = {name.replace("__", "."): value for name, value in changed.items()}
    return lambda option: changed[option] if option in changed else SHIPPED(option)


def network(get_option, **environ):
    return network_problems(get_option, environ)


def test_shipped_config_binds_loopback_and_reaches_nothing():
    assert SHIPPED("server.address") == "127.0.0.1"
    assert network(SHIPPED) == []


def test_unset_address_is_refused_even_when_public_bind_is_allowed():
    for unset in (None, ""):
        found = network(with_options(server__address=unset), ALLOW_PUBLIC_BIND="1")
        assert len(found) == 1
        assert "server.address is not set" in found[0] and "checkip.amazonaws.com" in found[0]


@pytest.mark.parametrize("wildcard", ["0.0.0.0", "::", "[::]"])
def test_wildcard_address_is_refused_even_when_public_bind_is_allowed(wildcard):
    found = network(with_options(server__address=wildcard), ALLOW_PUBLIC_BIND="1")
    assert len(found) == 1 and "every interface" in found[0]


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "companion.internal"])
def test_public_address_needs_the_operator_to_allow_it(address):
    get = with_options(server__address=address)
    found = network(get)
    assert len(found) == 1 and "not a loopback address" in found[0]
    assert "ALLOW_PUBLIC_BIND=1" in found[0]
    assert network(get, ALLOW_PUBLIC_BIND="1") == []
    assert network(get, COMPANION_ALLOW_PUBLIC_BIND="true") == []
    assert len(network(get, ALLOW_PUBLIC_BIND="0")) == 1


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses_are_accepted(address):
    assert network(with_options(server__address=address)) == []


@pytest.mark.parametrize("value", ["companion.example.org", "https://companion.example.org",
                                   "10.0.0.5:8501"])
def test_browser_server_address_elsewhere_is_refused(value):
    found = network(with_options(browser__serverAddress=value), ALLOW_PUBLIC_BIND="1")
    assert len(found) == 1 and "browser.serverAddress" in found[0]


@pytest.mark.parametrize("value", ["localhost", "127.0.0.1", "http://127.0.0.1:8501"])
def test_browser_server_address_on_loopback_is_accepted(value):
    assert network(with_options(browser__serverAddress=value)) == []


@pytest.mark.parametrize("name", ["server.corsAllowedOrigins", "client.allowedOrigins"])
def test_trusted_foreign_origins_are_refused(name):
    found = network(lambda o: ["https://partner.example"] if o == name else SHIPPED(o))
    assert len(found) == 1 and name in found[0]


def test_streamlit_default_embedding_origins_are_refused(tmp_path):
    """Left out of config.toml, client.allowedOrigins is Streamlit's list of its cloud sites."""
    trimmed = tmp_path / "config.toml"
    trimmed.write_text(SHIPPED_FILE.read_text().replace("allowedOrigins = []", ""))
    get = config_file_options(trimmed, environ={}, global_path=None)
    assert any("streamlit.app" in origin for origin in get("client.allowedOrigins"))
    found = network(get)
    assert len(found) == 1 and "client.allowedOrigins" in found[0]


def test_development_mode_is_refused():
    found = network(with_options(global__developmentMode=True))
    assert len(found) == 1 and "global.developmentMode" in found[0]


def test_theme_from_another_site_is_refused():
    found = network(with_options(theme__base="https://themes.example/clinic.toml"))
    assert len(found) == 1 and "theme.base" in found[0]
    assert network(with_options(theme__base="themes/clinic.toml")) == []


@pytest.mark.parametrize("name", FONT_OPTIONS)
def test_font_from_another_site_is_refused(name):
    remote = "Nunito:https://fonts.googleapis.com/css2?family=Nunito&display=swap"
    found = network(lambda o: remote if o == name else SHIPPED(o))
    assert len(found) == 1 and name in found[0]
    assert network(lambda o: "serif, monospace" if o == name else SHIPPED(o)) == []


@pytest.mark.parametrize("url", ["https://fonts.gstatic.com/s/nunito.woff2",
                                 "//cdn.example/nunito.woff2"])
def test_font_faces_from_another_site_are_refused(url):
    faces = [{"family": "Local", "url": "app/static/local.woff2"},
             {"family": "Nunito", "url": url}]
    found = network(with_options(theme__fontFaces=faces))
    assert len(found) == 1 and "theme.fontFaces" in found[0] and url in found[0]


def test_font_faces_served_by_the_app_are_accepted():
    faces = [{"family": "Local", "url": "app/static/local.woff2"},
             {"family": "Inline", "url": "data:font/woff2;base64,d09GMgABAAAAA"}]
    assert network(with_options(theme__fontFaces=faces)) == []


def test_components_from_another_site_are_refused():
    found = network(with_options(server__customComponentBaseUrlPath="https://cdn.example/c"))
    assert len(found) == 1 and "customComponentBaseUrlPath" in found[0]


def test_every_problem_is_one_line():
    everything = {
        "server.address": "0.0.0.0", "browser.serverAddress": "elsewhere.example",
        "server.corsAllowedOrigins": ["https://a.example"], "global.developmentMode": True,
        "theme.base": "https://t.example/x.toml", "theme.font": "X:https://f.example/x.css",
        "theme.fontFaces": [{"family": "X", "url": "https://f.example/x.woff2"}],
        "server.customComponentBaseUrlPath": "https://c.example",
        "server.enableAgentApi": True, "browser.gatherUsageStats": True,
    }
    found = problems(lambda o: everything.get(o, SHIPPED(o)), get_settings(), {})
    assert len(found) == 10
    assert all("\n" not in line and line.strip() == line for line in found)


# -- the CLI check sees what `streamlit run` would: defaults, files, STREAMLIT_* variables -----

def test_environment_overrides_the_config_file():
    get = config_file_options(SHIPPED_FILE, global_path=None, environ={
        "STREAMLIT_SERVER_ADDRESS": "0.0.0.0",
        "STREAMLIT_SERVER_ENABLE_AGENT_API": "true",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "1",
        "STREAMLIT_SERVER_MAX_UPLOAD_SIZE": "200",
        "STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS": "https://a.example https://b.example",
    })
    assert get("server.address") == "0.0.0.0"
    assert get("server.enableAgentApi") is True and get("browser.gatherUsageStats") is True
    assert get("server.maxUploadSize") == 200
    assert get("server.corsAllowedOrigins") == ["https://a.example", "https://b.example"]
    found = problems(get, get_settings(), {})
    for name in ("server.address", "server.enableAgentApi", "browser.gatherUsageStats",
                 "server.maxUploadSize", "server.corsAllowedOrigins"):
        assert sum(name in line for line in found) == 1, (name, found)


def test_user_config_file_is_read_and_the_project_file_wins(tmp_path):
    user = tmp_path / "user-config.toml"
    user.write_text('[server]\naddress = "0.0.0.0"\nenableAgentApi = true\n'
                    '[theme]\nheadingFont = "Nunito:https://fonts.example/n.css"\n')
    get = config_file_options(SHIPPED_FILE, environ={}, global_path=user)
    assert get("server.address") == "127.0.0.1"  # the project's file wins
    assert get("server.enableAgentApi") is False
    found = problems(get, get_settings(), {})
    assert len(found) == 1 and "theme.headingFont" in found[0]


def test_options_left_out_take_streamlit_defaults(tmp_path):
    bare = tmp_path / "config.toml"
    bare.write_text("")
    found = problems(config_file_options(bare, environ={}, global_path=None), get_settings(), {})
    for name in ("server.address is not set", "browser.gatherUsageStats", "client.allowedOrigins",
                 "client.showErrorDetails"):
        assert any(name in line for line in found), (name, found)


def test_companion_check_refuses_an_address_from_the_environment(monkeypatch, capsys):
    from companion import cli

    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "0.0.0.0")
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "server.address '0.0.0.0'" in err
    monkeypatch.setenv("STREAMLIT_SERVER_ADDRESS", "10.0.0.5")
    monkeypatch.setenv("ALLOW_PUBLIC_BIND", "1")
    assert cli.main(["check"]) == 0


def test_check_names_a_server_whose_keys_differ_from_the_databases(db_url, users, session,
                                                                  monkeypatch, capsys):
    """Keys identical on every replica: one started with other keys is refused by name."""
    from companion import safety

    safety.save(session, actor(users.client(users.therapist())), {"reasons": "my kids"})
    session.commit()
    old = get_settings().encryption_key
    label_key = os.environ.get("LABEL_HASH_KEY")  # the suite's (PostgreSQL), or generated
    for name in ("ENCRYPTION_KEY", "LABEL_HASH_KEY"):
        monkeypatch.setenv(name, Fernet.generate_key().decode())
    get_settings.cache_clear()
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ENCRYPTION_KEY (with OLD_ENCRYPTION_KEYS) does not open" \
        in err and "LABEL_HASH_KEY is not the key" in err
    monkeypatch.setenv("OLD_ENCRYPTION_KEYS", old)  # during a rotation: fine
    if label_key:
        monkeypatch.setenv("LABEL_HASH_KEY", label_key)
    else:
        monkeypatch.delenv("LABEL_HASH_KEY")
    get_settings.cache_clear()
    assert cli.main(["check"]) == 0


def test_shipped_config_turns_the_post_run_collection_off():
    """A full garbage collection after every script run was most of a save's CPU (issue 16)."""
    assert SHIPPED("runner.postScriptGC") is False
    assert performance_notes(SHIPPED) == []


def test_post_run_collection_turned_back_on_is_named_but_not_refused():
    turned_on = lambda o: True if o == "runner.postScriptGC" else SHIPPED(o)  # noqa: E731
    notes = performance_notes(turned_on)
    assert len(notes) == 1 and "runner.postScriptGC" in notes[0]
    assert problems(turned_on, get_settings()) == []
