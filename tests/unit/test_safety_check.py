"""The server refuses to serve with unsafe options or a weak cookie key."""
import dataclasses

import pytest

from companion.core.config import ROOT, get_settings
from companion.core.safety_check import REQUIRED_OPTIONS, config_file_options, problems

SHIPPED = config_file_options(ROOT / ".streamlit" / "config.toml")


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
    assert any("cookie key" in f for f in problems(SHIPPED, settings))


def test_generated_cookie_key_is_long_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("COOKIE_KEY")
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COMPANION_SECRETS_FILE", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    try:
        first = get_settings().cookie_key
        get_settings.cache_clear()
        assert get_settings().cookie_key == first and len(first) >= 48
        assert (tmp_path / ".cookie_key").stat().st_mode & 0o077 == 0
    finally:
        get_settings.cache_clear()


def test_cookie_key_is_never_committed():
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".cookie_key" not in tracked and "secrets.toml" not in tracked
