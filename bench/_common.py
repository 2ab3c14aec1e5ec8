"""Shared set-up for the benchmark scripts (not a test module; prints numbers, asserts nothing).

`fresh_env()` must run before anything imports `companion`: settings are read once per process.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import secrets
import shutil
import statistics
import string
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "router.py"
DEPRECATIONS: Counter = Counter()  # Streamlit deprecation warnings the app logged, by first line


def cookie_key() -> str:
    """A fresh 48-character key for signing the login cookie."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(48))


def at_root() -> None:
    """Import this checkout's `companion` and work from the repository root."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)  # Streamlit reads ./.streamlit/config.toml, as `make run` does


def fresh_env(prefix: str, bcrypt_rounds: int | None) -> Path:
    """A temp data dir and SQLite DB for this process; returns the dir (remove with cleanup)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["COMPANION_DATA_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    os.environ["COOKIE_KEY"] = cookie_key()
    if bcrypt_rounds is None:
        os.environ.pop("BCRYPT_ROUNDS", None)
        os.environ.pop("COMPANION_BCRYPT_ROUNDS", None)
    else:
        os.environ["BCRYPT_ROUNDS"] = str(bcrypt_rounds)
    at_root()
    return tmp


def in_fresh_env(prefix: str, bcrypt_rounds: int | None, run: Callable[[Path], int]) -> int:
    """`run(tmp)` in a fresh environment (see `fresh_env`), removed afterwards."""
    tmp = fresh_env(prefix, bcrypt_rounds)
    try:
        return run(tmp)
    finally:
        cleanup(tmp)


def seed_demo() -> str:
    """Migrate the fresh DB and seed the demo clinic; returns the shared demo password."""
    from companion import demo
    from companion.core import db

    db.migrate()
    with db.session_scope() as session:
        return demo.seed(session, None)


def cleanup(tmp: Path) -> None:
    try:
        from companion.core import db

        db.get_engine().dispose()
    except Exception:
        pass
    shutil.rmtree(tmp, ignore_errors=True)


def prepare_apptest() -> None:
    """Make AppTest reruns go straight to router.py, as a running server's do; quiet its noise.

    AppTest resets `PagesManager.uses_pages_directory` to None before each run, and the
    PagesManager constructor then sets it True because a `pages/` folder sits next to router.py,
    so every AppTest run takes Streamlit's legacy pages-folder path (`_mpa_v1`): router.py runs
    wrapped as that legacy navigation's default page, and a top-level `pages/*.py` that was
    the last page shown is exec'd alone, without router.py (no gate). A server flips the flag to
    False at the first `st.navigation` call and keeps it, so this patch reproduces the
    server's steady state.
    """
    import logging

    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager.__init__, "_bench_patched", False):
        return
    # AppTest's constructor touches session state outside a script thread; Streamlit logs a
    # harmless "missing ScriptRunContext" warning for it (a filter survives Streamlit's own
    # log-level resets).
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())

    def count_deprecation(record) -> bool:  # counted and reported, not printed every rerun
        DEPRECATIONS[record.getMessage().split("\n", 1)[0]] += 1
        return False

    logging.getLogger("streamlit.deprecation_util").addFilter(count_deprecation)
    original = PagesManager.__init__

    def __init__(self, *args, **kwargs):
        PagesManager.uses_pages_directory = False
        original(self, *args, **kwargs)

    __init__._bench_patched = True
    PagesManager.__init__ = __init__


@contextlib.contextmanager
def quiet():
    """Swallow what script runs print (the login library prints cookie-decode noise)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def by_label(elements, label: str):
    for el in elements:
        if getattr(el, "label", None) == label or getattr(el, "key", None) == label:
            return el
    raise LookupError(f"no element labelled {label!r} among "
                      f"{[getattr(e, 'label', None) for e in elements]}")


def sign_in(at, username: str, password: str) -> None:
    """Fill and submit the sign-in form drawn by streamlit-authenticator (one script run)."""
    by_label(at.text_input, "Username").input(username)
    by_label(at.text_input, "Password").input(password)
    by_label(at.button, "Sign in").click()
    with quiet():
        at.run()


def signed_in_app(username: str, password: str, timeout: float = 60):
    """An AppTest of app.py signed in through the form, after the rerun the browser's cookie
    component triggers (as a browser would see it)."""
    from streamlit.testing.v1 import AppTest

    prepare_apptest()
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    with quiet():
        at.run()
    sign_in(at, username, password)
    with quiet():
        at.run()
    return at


def did_not_render(page: str, at) -> int:
    """Say on stderr that a page failed to render (and how); the script's exit code."""
    print(f"{page} page did not render: exception={[e.value for e in at.exception]} "
          f"titles={[t.value for t in at.title]}", file=sys.stderr)
    return 1


def home_title(at) -> str | None:
    return next((t.value for t in at.title if "Hi," in t.value), None)


@contextlib.contextmanager
def each_statement(engine, record: Callable[[str, object, bool], None]):
    """Inside: `record(statement, params, executemany)` for every statement sent."""
    from sqlalchemy import event

    def on_execute(_conn, _cursor, statement, params, _context, many):
        record(statement, params, many)

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def replay(raw_conn, statements) -> int:
    """Run captured (name, SQL, params) on a DBAPI cursor; returns the rows fetched."""
    cur = raw_conn.cursor()
    rows = 0
    for _name, sql, params in statements:
        cur.execute(sql, params)
        rows += len(cur.fetchall())
    cur.close()
    return rows


def timed_cpu(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU seconds of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def timed(fn, runs: int) -> list[float]:
    """Wall-clock seconds of each run."""
    return timed_cpu(fn, runs)[0]


def stats_ms(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    p95 = ms[max(0, math.ceil(0.95 * len(ms)) - 1)]
    return {"mean": statistics.fmean(ms), "median": statistics.median(ms), "p95": p95,
            "min": ms[0], "max": ms[-1]}


def machine() -> str:
    try:
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return f"{os.cpu_count()} CPUs, load average {load} (1/5/15 min) at start"


def fmt(name: str, samples_s: list[float], width: int = 28) -> str:
    s = stats_ms(samples_s)
    return (f"{name:<{width}} n={len(samples_s):<3} mean {s['mean']:8.2f} ms  "
            f"median {s['median']:8.2f} ms  p95 {s['p95']:8.2f} ms  "
            f"(min {s['min']:.2f}, max {s['max']:.2f})")


def ms(samples_s: list[float]) -> str:
    """Median / p95 in ms, for a table cell."""
    s = stats_ms(samples_s)
    return f"{s['median']:7.2f} / {s['p95']:7.2f}"
