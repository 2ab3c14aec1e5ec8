"""Password rules (NIST SP 800-63B as the only factor), hashing, one-time passwords."""
from __future__ import annotations

import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import bcrypt
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from companion.core.config import get_settings
from companion.core.errors import InvalidInput

MIN_CHARS = 15
MAX_CHARS = 64  # we accept at least this many; bcrypt's real ceiling is 72 bytes
BCRYPT_MAX_BYTES = 72
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes, easy to read aloud


def normalize(password: str) -> str:
    """The login library strips surrounding whitespace, so every path here does too."""
    return (password or "").strip()


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why this password can't be used, in plain words (the reader's language); None if it
    is fine."""
    from companion import i18n
    from companion.i18n import _

    pw = normalize(password)
    if len(pw) < MIN_CHARS:
        return _("Use at least {count} characters. A short sentence you'll remember works "
                 "well.").format(count=MIN_CHARS)
    if len(pw.encode("utf-8")) > BCRYPT_MAX_BYTES:
        return _("That password is too long to store safely (over {count} bytes; emoji and "
                 "accented letters count as several). Please use a shorter one.").format(
            count=BCRYPT_MAX_BYTES)
    if pw.lower() in _COMMON:
        return _("That password is on a list of common passwords. Please choose another.")
    result = zxcvbn(pw, user_inputs=[u for u in user_inputs if u])
    if result["score"] < 3:
        # zxcvbn's own hint is English: other languages get the plain sentence
        hint = (result["feedback"].get("warning") if i18n.current() == i18n.DEFAULT else "")
        return _("That password is too easy to guess. {hint}").format(
            hint=hint or _("It would be easy to guess.")).strip()
    return None


def check_new_password(password: str, user_inputs: tuple[str, ...] = ()) -> str:
    problem = password_problem(password, user_inputs)
    if problem:
        raise InvalidInput(problem)
    return normalize(password)


BCRYPT_NICENESS = 10  # nicer than page runs: they get the cores first, bcrypt what is left


def _background_priority() -> None:
    """A bcrypt thread yields the CPU to page runs (Linux: a thread's own nice value). Every
    process on the machine counts: two replicas' sign-ins no longer take both cores."""
    try:
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me,
                       min(19, os.getpriority(os.PRIO_PROCESS, me) + BCRYPT_NICENESS))
    except (AttributeError, OSError):  # not Linux, or not allowed: first come, as before
        pass


@lru_cache(maxsize=1)
def _bcrypt_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=get_settings().bcrypt_parallel,
                              thread_name_prefix="bcrypt", initializer=_background_priority)


def _bcrypt(fn, *args):
    """bcrypt on one of `bcrypt_parallel` low-priority threads, in turn. bcrypt releases the
    GIL, so run in the page's own thread, twenty sign-ins at once hashed on every core and
    starved the thread holding it: every other session's page run (issue 16). The caller
    waits without the GIL; every path (right, wrong, unknown name) waits the same way."""
    return _bcrypt_threads().submit(fn, *args).result()


def _hashpw(raw: bytes, salt: bytes) -> bytes:
    return _bcrypt(bcrypt.hashpw, raw, salt)


def _checkpw(raw: bytes, hashed: bytes) -> bool:
    return _bcrypt(bcrypt.checkpw, raw, hashed)


def hash_password(password: str) -> str:
    rounds = get_settings().bcrypt_rounds
    return _hashpw(normalize(password).encode(), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    raw = normalize(password).encode()
    if len(raw) > BCRYPT_MAX_BYTES:
        raw = raw[:BCRYPT_MAX_BYTES]  # still costs a full check; such a hash can never match
        hashed = dummy_hash()
    try:
        return _checkpw(raw, hashed.encode())
    except ValueError:
        return False


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    return _hashpw(secrets.token_bytes(16).hex().encode(), bcrypt.gensalt(rounds)).decode()


def dummy_hash() -> str:
    """A hash nobody knows the password to, at the same cost as real ones (equal timing)."""
    return _dummy_hash(get_settings().bcrypt_rounds)


def temporary_password() -> str:
    """A one-time password an admin can read out: 4 groups of 5, about 98 bits."""
    groups = ("".join(secrets.choice(_TEMP_ALPHABET) for _ in range(5)) for _ in range(4))
    return "-".join(groups)
