"""The sign-in round trip: the server-side credential check and the form-to-home-page time.

(a) `companion.auth.check_login`, each call in its own `session_scope()` as the app does, for a
    real user with the right password, a real user with a wrong one, and unknown usernames
    (a fresh name each try, as someone probing for accounts would; and one name repeated).
    Unknown/real-wrong near 1.0 means response time does not reveal which accounts exist.
(b) AppTest: from submitting the Sign in form to the signed-in home page rendered (the submit
    run plus the rerun the browser's cookie component triggers), each in a fresh session.

A benchmark, not a test: it asserts nothing about timing.

    .venv/bin/python bench/login.py [--rounds 12] [--checks 20] [--logins 10]
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

USERNAME = "demo-client1"
WRONG_PASSWORD = "not the right password at all 7"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=12,
                    help="bcrypt cost for the seeded hashes and the dummy hash (default 12, "
                         "the production default)")
    ap.add_argument("--checks", type=int, default=20, help="check_login calls per case")
    ap.add_argument("--logins", type=int, default=10, help="AppTest sign-ins to time")
    args = ap.parse_args()
    return c.in_fresh_env("companion-bench-login-", args.rounds, lambda _tmp: run(args))


def timed_check(username: str, password: str, settings) -> tuple[float, str]:
    from companion import auth
    from companion.core.db import session_scope

    t0 = time.perf_counter()
    with session_scope() as session:
        result = auth.check_login(session, username, password, settings)
    return time.perf_counter() - t0, result.outcome.value


def run(args) -> int:
    machine = c.machine()
    t0 = time.perf_counter()
    password = c.seed_demo()
    seed_s = time.perf_counter() - t0

    from companion.core.config import get_settings

    settings = get_settings()
    # Keep every wrong try on the plain "wrong" path: with the real limit (5) the sixth try
    # onward answers "locked". That path costs the same bcrypt check, but we time one path.
    no_lockout = dataclasses.replace(settings, max_failed_logins=10**9)

    print(f"Sign-in benchmark — bcrypt cost {settings.bcrypt_rounds} "
          f"(seeding the demo clinic took {seed_s:.2f} s); {machine}")
    print()
    print(f"(a) server-side auth.check_login, each in its own session_scope, "
          f"n={args.checks} per case")
    first_unknown, _ = timed_check("nobody-first", WRONG_PASSWORD, no_lockout)
    timed_check(USERNAME, password, no_lockout)  # warm-up: engine, statement cache
    cases = {
        "real user, right password": lambda i: (USERNAME, password),
        "real user, wrong password": lambda i: (USERNAME, WRONG_PASSWORD),
        "unknown user (fresh names)": lambda i: (f"nobody-{i:03d}", WRONG_PASSWORD),
        "unknown user (same name)": lambda i: ("nobody-again", WRONG_PASSWORD),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    outcomes: dict[str, Counter] = {name: Counter() for name in cases}
    for i in range(args.checks):  # interleaved, so drift hits every case alike
        for name, creds in cases.items():
            seconds, outcome = timed_check(*creds(i), no_lockout)
            samples[name].append(seconds)
            outcomes[name][outcome] += 1
    for name in cases:
        print(c.fmt(name, samples[name]) + "  outcomes " + dict(outcomes[name]).__repr__())
    wrong = c.stats_ms(samples["real user, wrong password"])
    for name in ("unknown user (fresh names)", "unknown user (same name)"):
        s = c.stats_ms(samples[name])
        print(f"ratio {name}/real-wrong: mean {s['mean'] / wrong['mean']:.3f}  "
              f"median {s['median'] / wrong['median']:.3f}  "
              f"min {s['min'] / wrong['min']:.3f} (least disturbed by other load)")
    print(f"first unknown-name check after start: {first_unknown * 1000:.2f} ms "
          "(includes making the dummy hash once per process)")

    # (b) the form round trip through the app.
    from streamlit.testing.v1 import AppTest

    c.prepare_apptest()
    print()
    print(f"(b) AppTest: Sign in clicked -> home page rendered, n={args.logins} "
          "(fresh session each; submit run + the cookie component's rerun)")
    submit_s, follow_s, total_s, failures = [], [], [], 0
    for i in range(args.logins + 1):  # the first is an untimed warm-up (imports, caches)
        at = AppTest.from_file(str(c.APP), default_timeout=30)
        with c.quiet():
            at.run()  # the sign-in page, untimed
        t_submit = time.perf_counter()
        c.sign_in(at, USERNAME, password)
        t_signed = time.perf_counter()
        with c.quiet():
            at.run()
        t_home = time.perf_counter()
        if c.home_title(at) is None or at.exception:
            failures += 1
            if failures == 1:
                print(f"  sign-in {i} did not reach the home page: "
                      f"exception={[e.value for e in at.exception]} "
                      f"titles={[t.value for t in at.title]} "
                      f"errors={[e.value for e in at.error]}")
            continue
        if i == 0:
            continue
        submit_s.append(t_signed - t_submit)
        follow_s.append(t_home - t_signed)
        total_s.append(t_home - t_submit)
    if not total_s:
        print("home page never rendered after sign-in", file=sys.stderr)
        return 1
    print(c.fmt("submit run (check + cookie)", submit_s))
    print(c.fmt("rerun to home page", follow_s))
    print(c.fmt("total, click -> home", total_s))
    if failures:
        print(f"{failures} of {args.logins + 1} sign-ins (the first a warm-up) did not reach "
              "the home page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
