"""The database, its WAL and SHM, the keys and the secrets are readable by the app's user
only (0600 in 0700 folders); `companion check` refuses anything looser and `--repair`
tightens it."""
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from companion import cli
from companion.core import db
from companion.core.config import get_settings
from tests.conftest import ON_POSTGRES

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite files")


def mode(path) -> int:
    return stat.S_IMODE(Path(path).stat().st_mode)


@pytest.fixture
def shell_umask():
    """A shell's usual umask (022), as `make run` would inherit it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_database_is_private_whatever_the_umask(tmp_path, shell_umask):
    """Was: companion.db, -wal and -shm 0644 in a 0755 folder."""
    url = f"sqlite:///{tmp_path / 'fresh' / 'companion.db'}"
    engine = db.make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x int)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        folder = tmp_path / "fresh"
        assert mode(folder) == 0o700
        assert {p.name: mode(p) for p in folder.iterdir()} == {
            "companion.db": 0o600, "companion.db-wal": 0o600, "companion.db-shm": 0o600}
    engine.dispose()


def test_every_command_runs_with_a_private_umask(shell_umask, capsys):
    cli.main(["new-key"])
    capsys.readouterr()
    assert os.umask(0o022) == 0o077


@sqlite_only
def test_check_refuses_loose_modes_and_repair_tightens_them(db_url, capsys):
    path = Path(db_url.split("///", 1)[1])
    os.chmod(path, 0o644)
    os.chmod(path.parent, 0o755)
    try:
        assert cli.main(["check"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "readable by other users" in err
        assert f"{path} (644, want 600)" in err and f"{path.parent} (755, want 700)" in err
        assert cli.main(["check", "--repair"]) == 0
        out = capsys.readouterr().out
        assert out.startswith("Settings are safe to serve. Repaired: ")
        assert (mode(path), mode(path.parent)) == (0o600, 0o700)
        assert cli.main(["check"]) == 0
    finally:
        os.chmod(path.parent, 0o700)


@sqlite_only
def test_a_key_file_left_in_the_data_folder_is_moved_out(db_url, tmp_path, monkeypatch,
                                                        capsys):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / ".encryption_key").write_text(Fernet.generate_key().decode())
    monkeypatch.setenv("COMPANION_DATA_DIR", str(data))
    get_settings.cache_clear()
    assert cli.main(["check"]) == 2
    assert "key files inside the data folder" in capsys.readouterr().err
    assert cli.main(["check", "--repair"]) == 0
    assert not (data / ".encryption_key").exists()
    moved = Path(os.environ["COMPANION_KEYS_DIR"]) / "from-data-folder.encryption_key"
    assert moved.is_file() and mode(moved) == 0o600
    moved.unlink()


@sqlite_only
def test_keys_inside_the_database_folder_are_refused(db_url, monkeypatch):
    from companion.core.safety_check import at_rest_problems

    folder = Path(db_url.split("///", 1)[1]).parent
    monkeypatch.setenv("COMPANION_KEYS_DIR", str(folder / "keys"))
    assert any("is inside the database's folder" in p for p in at_rest_problems(get_settings()))


@sqlite_only
def test_a_loose_secrets_file_is_refused(db_url, tmp_path, monkeypatch):
    from companion.core.safety_check import at_rest_problems

    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text('clinic_timezone = "America/New_York"\n')
    os.chmod(secrets_file, 0o644)
    monkeypatch.setenv("COMPANION_SECRETS_FILE", str(secrets_file))
    get_settings.cache_clear()
    assert any(str(secrets_file) in p for p in at_rest_problems(get_settings()))
