"""Parallel sign-ins and second-factor codes cannot get past the lockout.

Each attempt runs in its own thread and its own session against a file database (SQLite here,
PostgreSQL on that pass), as parallel browser tabs or replicas would. The expensive check
(bcrypt for passwords, the TOTP comparison for codes) is wrapped: calls from the burst's threads
are held there until every attempt of the burst has either reached the check or returned, so
all of them race for the same counter at once, the way 40 tabs submitted together do.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine

from companion import auth, mfa, passwords
from companion.auth import Outcome
from companion.core.db import session_scope
from companion.core.timeutil import utcnow
from tests.conftest import PASSWORD, People, totp_code

HOLD_SECONDS = 20  # only reached when the code under test lets attempts through unclaimed


class HeldChecks:
    """Holds the burst's calls to a check until every attempt is at the check or done."""

    def __init__(self, attempts: int):
        self.attempts = attempts
        self.cond = threading.Condition()
        self.arrived = self.done = 0
        self.released = False
        self.evaluated: list = []  # what reached the real check (a label per call)

    def wrap(self, real, counts=lambda *args: args[-1]):
        """`counts(*args)` labels a call that counts as checked, or returns None."""
        def held(*args):
            if threading.current_thread() is not threading.main_thread():
                with self.cond:
                    self.arrived += 1
                    self.cond.notify_all()
                    self.cond.wait_for(lambda: self.released, timeout=HOLD_SECONDS)
            label = counts(*args)
            if label is not None:
                with self.cond:
                    self.evaluated.append(label)
            return real(*args)
        return held

    def attempt(self, run):
        def one(i):
            try:
                return run(i)
            finally:
                with self.cond:
                    self.done += 1
                    self.cond.notify_all()
        return one

    def all_claimed(self) -> None:
        """Every attempt of the burst has claimed its try (it waits at the check or is done)."""
        with self.cond:
            self.cond.wait_for(lambda: self.arrived + self.done >= self.attempts,
                               timeout=HOLD_SECONDS)

    def release(self) -> None:
        with self.cond:
            self.released = True
            self.cond.notify_all()


def burst(held: HeldChecks, run, last=None):
    """Run `held.attempts` attempts at once; `last` runs after all of them have claimed their
    try, while they are still held at the check. Returns (burst outcomes, last outcome)."""
    with ThreadPoolExecutor(max_workers=held.attempts) as pool:
        futures = [pool.submit(held.attempt(run), i) for i in range(held.attempts)]
        held.all_claimed()
        try:
            last_outcome = last() if last else None
        finally:
            held.release()
        return [f.result() for f in futures], last_outcome


def login(username: str, password: str) -> Outcome:
    with session_scope() as session:
        return auth.check_login(session, username, password).outcome


@pytest.fixture
def robin(db_url):
    with session_scope() as session:
        user = People(session).client(name="robin")
        return user.password_hash


@pytest.fixture
def held_bcrypt(monkeypatch, robin):
    """`start(n)`: hold bcrypt checks; `evaluated` counts only checks against robin's hash."""
    state = {}

    def start(n: int) -> HeldChecks:
        held = HeldChecks(n)
        monkeypatch.setattr(passwords, "verify_password", held.wrap(
            passwords.verify_password, counts=lambda pw, hashed: pw if hashed == robin else None))
        state["held"] = held
        return held
    return start


def test_thirty_parallel_wrong_passwords_get_at_most_five_checks(held_bcrypt):
    held = held_bcrypt(30)
    outcomes, _ = burst(held, lambda i: login("robin", f"wrong guess {i}"))
    assert len(held.evaluated) == 5, "every try past the fifth must be refused unchecked"
    assert outcomes.count(Outcome.WRONG) == 4
    assert outcomes.count(Outcome.LOCKED) == 26
    assert login("robin", PASSWORD) is Outcome.LOCKED


def test_after_four_failures_twelve_tabs_with_the_right_password_last_stay_out(held_bcrypt):
    for i in range(4):
        assert login("robin", f"wrong {i}") is Outcome.WRONG
    held = held_bcrypt(11)
    outcomes, last = burst(held, lambda i: login("robin", f"tab {i}"),
                           last=lambda: login("robin", PASSWORD))
    assert last is Outcome.LOCKED
    assert len(held.evaluated) == 1  # only the fifth try was checked
    assert outcomes.count(Outcome.LOCKED) == 11


def test_the_right_password_last_in_a_burst_of_forty_is_refused_until_the_pause_ends(
        held_bcrypt):
    held = held_bcrypt(39)
    _, last = burst(held, lambda i: login("robin", f"guess {i}"),
                    last=lambda: login("robin", PASSWORD))
    assert last is Outcome.LOCKED
    assert len(held.evaluated) == 5
    assert login("robin", PASSWORD) is Outcome.LOCKED  # still inside the window
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert login("robin", PASSWORD) is Outcome.OK


def test_unknown_names_are_claimed_the_same_way(held_bcrypt):
    held = held_bcrypt(20)
    outcomes, _ = burst(held, lambda i: login("no-such-person", f"guess {i}"))
    assert outcomes.count(Outcome.WRONG) == 4 and outcomes.count(Outcome.LOCKED) == 16


# --- second factor -------------------------------------------------------------------------

def code_check(user_id: int, code: str) -> Outcome:
    with session_scope() as session:
        return mfa.verify(session, user_id, code).outcome


@pytest.fixture
def staff(db_url):
    with session_scope() as session:
        return People(session).therapist(name="thera").id


def test_a_valid_code_last_after_four_and_thirty_nine_wrong_ones_is_refused(staff,
                                                                            monkeypatch):
    for _ in range(4):
        assert code_check(staff, "000000") is Outcome.WRONG
    held = HeldChecks(39)
    monkeypatch.setattr(mfa, "_step_ok", held.wrap(mfa._step_ok))
    outcomes, last = burst(held, lambda i: code_check(staff, f"{i:06d}"),
                           last=lambda: code_check(staff, totp_code(scope="race")))
    assert last is Outcome.LOCKED
    assert len(held.evaluated) == 1  # the fifth try only
    assert outcomes.count(Outcome.LOCKED) == 39


def test_forty_parallel_codes_get_at_most_five_checks(staff, monkeypatch):
    assert code_check(staff, "000000") is Outcome.WRONG  # the counter exists
    held = HeldChecks(40)
    monkeypatch.setattr(mfa, "_step_ok", held.wrap(mfa._step_ok))
    outcomes, _ = burst(held, lambda i: code_check(staff, f"{i:06d}"))
    assert len(held.evaluated) == 4
    assert outcomes.count(Outcome.WRONG) == 3 and outcomes.count(Outcome.LOCKED) == 37
    assert code_check(staff, totp_code(scope="race-40")) is Outcome.LOCKED


def test_one_valid_code_sent_from_many_tabs_is_accepted_once(staff, monkeypatch):
    code = totp_code(scope="replay")
    held = HeldChecks(4)
    monkeypatch.setattr(mfa, "_step_ok", held.wrap(mfa._step_ok))
    outcomes, _ = burst(held, lambda i: code_check(staff, code))
    assert outcomes.count(Outcome.OK) == 1 and outcomes.count(Outcome.WRONG) == 3
