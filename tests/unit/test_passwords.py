import pytest

from companion import passwords
from companion.core.errors import InvalidInput


@pytest.mark.parametrize("pw,why", [
    ("short one", "at least 15"),
    ("passwordpassword", "easy to guess"),
    ("aaaaaaaaaaaaaaaaaaaa", "easy to guess"),
    ("123456789012345678", "easy to guess"),
    ("é" * 40, "too long"),
    ("🌿" * 19, "too long"),
])
def test_refused_with_a_reason(pw, why):
    assert why in passwords.password_problem(pw)


def test_username_based_password_is_refused():
    assert "easy to guess" in passwords.password_problem("robin.example2024", ("robin.example",))


def test_common_password_list_ships_with_the_app():
    assert "on a list of common passwords" in passwords.password_problem("hd764nw5d7e1vb1")


@pytest.mark.parametrize("pw", [
    "a quiet harbor at dawn 42",         # spaces allowed
    "Ünïcødé lanterns glow softly",      # any characters
    "x7Qm2vLp9Rt4Wz8Ks3Nd6Hf1Jb5Yc0Ge" * 2,  # 64 characters
])
def test_good_passphrases_pass(pw):
    assert passwords.password_problem(pw) is None


def test_surrounding_spaces_are_stripped_everywhere():
    hashed = passwords.hash_password("  a quiet harbor at dawn 42  ")
    assert passwords.verify_password("a quiet harbor at dawn 42", hashed)
    assert passwords.check_new_password(" a quiet harbor at dawn 42 ") == "a quiet harbor at dawn 42"


def test_over_long_input_never_crashes_verification():
    hashed = passwords.hash_password("a quiet harbor at dawn 42")
    assert passwords.verify_password("x" * 500, hashed) is False


def test_temporary_passwords_are_strong_and_different():
    a, b = passwords.temporary_password(), passwords.temporary_password()
    assert a != b and len(a) == 23 and passwords.password_problem(a) is None


def test_check_new_password_raises_a_clear_error():
    with pytest.raises(InvalidInput, match="at least 15"):
        passwords.check_new_password("tiny")


def test_password_checks_run_on_a_few_low_priority_threads(monkeypatch):
    """bcrypt releases the GIL: run in each page's thread, twenty sign-ins at once would hash
    on every core and starve every other session's page run (issue 16). Each check and hash
    runs on one of `bcrypt_parallel` threads, niced below page runs (on Linux)."""
    import os
    import threading

    import bcrypt

    seen = []

    def watching(real):
        def call(*args):
            seen.append((threading.current_thread().name,
                         os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
            return real(*args)
        return call

    monkeypatch.setattr(bcrypt, "checkpw", watching(bcrypt.checkpw))
    monkeypatch.setattr(bcrypt, "hashpw", watching(bcrypt.hashpw))
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    hashed = passwords.hash_password("a quiet harbor at dawn 42")
    assert passwords.verify_password("a quiet harbor at dawn 42", hashed)
    assert not passwords.verify_password("another quiet harbor 42", hashed)
    passwords._dummy_hash.cache_clear()
    passwords.dummy_hash()
    assert len(seen) == 4
    assert all(name.startswith("bcrypt") for name, _ in seen)
    assert all(nice >= min(19, own + passwords.BCRYPT_NICENESS) for _, nice in seen)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # caller's kept
    assert passwords._bcrypt_threads()._max_workers == passwords.get_settings().bcrypt_parallel


def test_parallel_password_checks_leave_a_core_for_page_runs(monkeypatch):
    from companion.core import config

    for cores, expected in ((1, 1), (2, 1), (8, 7), (None, 1)):
        monkeypatch.setattr(config.os, "cpu_count", lambda: cores)
        config.get_settings.cache_clear()
        assert config.get_settings().bcrypt_parallel == expected
    monkeypatch.setenv("BCRYPT_PARALLEL", "3")
    config.get_settings.cache_clear()
    assert config.get_settings().bcrypt_parallel == 3
    config.get_settings.cache_clear()
