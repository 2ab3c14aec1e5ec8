"""Memory over many visits to one app process: does RSS stay bounded with Streamlit's
post-run garbage collection off (`runner.postScriptGC = false`, .streamlit/config.toml)?

One `streamlit run app.py` process on a fresh SQLite database (the demo clinic plus
`--clients` load clients). Each visit, over Streamlit's own websocket protocol as
bench/load.py speaks it: open the app, sign in through the form, open the check-in page and
save a check-in, open "My trends", sign out, close the websocket. Visits reuse the load
clients in turn (a client's later visits save new versions of today's check-in). RSS of the
app process is printed every `--every` visits, then one verdict line: RSS after the last
visit at most `--limit` (1.2) x RSS after the first `--every` (200). A benchmark, not a test:
exit 1 only when a visit fails or the verdict is not met.

    .venv/bin/python bench/soak.py [--visits 2000] [--every 200] [--concurrency 4]
                                   [--clients 50] [--rounds 12] [--keep-logs]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402
import load  # noqa: E402

TRENDS_PAGE = "My trends"


async def visit(port: int, username: str, note: str, timeout_s: float) -> None:
    """Sign in, save a check-in, open the trends, sign out (raises on any failure)."""
    import websockets

    async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
            max_size=None, open_timeout=timeout_s, ping_interval=None, close_timeout=5) as ws:
        s = load.Session(ws, timeout_s)
        await s.run(page_hash="")
        await s.run([load.state(s.widget("text_input", "Username").id, string_value=username),
                     load.state(s.widget("text_input", "Password").id,
                                string_value=load.PASSWORD),
                     load.state(s.widget("button", "Sign in").id, trigger_value=True)])
        await s.run()  # the rerun the cookie component's report would cause
        if "Check-in" not in s.pages:
            raise load.AppError(f"no home page after sign-in: {s.texts[-3:]}")
        await s.run(page_hash=s.pages["Check-in"])
        await s.run([*load.checkin_answers(s),
                     load.state(s.widget("text_area", load.NOTE_LABEL).id, string_value=note),
                     load.state(s.widget("button", "Save check-in").id, trigger_value=True)])
        if not any(t.startswith("Saved") for t in s.texts):
            raise load.AppError(f"save not acknowledged: {s.texts[-3:]}")
        await s.run(page_hash=s.pages[TRENDS_PAGE])
        await s.run([load.state(s.widget("button", "Sign out").id, trigger_value=True)])
        if ("text_input", "Username") not in s.widgets:
            await s.run()  # the cookie delete's own rerun, as in a browser
        if ("text_input", "Username") not in s.widgets:
            raise load.AppError(f"no sign-in page after signing out: {s.texts[-3:]}")


async def soak(server: load.AppServer, names: list[str], args) -> tuple[list[tuple[int, float]],
                                                                         list[str]]:
    """All visits, `--concurrency` at once; (visits done, RSS MB) every `--every` visits."""
    gate = asyncio.Semaphore(args.concurrency)
    samples: list[tuple[int, float]] = []
    failures: list[str] = []
    done = 0
    t0 = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal done
        username = names[i % len(names)]
        async with gate:
            try:
                await visit(server.port, username, f"soak visit {i}", args.timeout)
            except Exception as exc:  # noqa: BLE001 - reported, counted
                failures.append(f"visit {i} ({username}): {type(exc).__name__}: {exc}"[:160])
        done += 1
        if done % args.every == 0 or done == args.visits:
            rss = server.rss_mb()
            samples.append((done, rss))
            print(f"  {done:>6} visits  RSS {rss:7.1f} MB  {time.perf_counter() - t0:7.1f} s  "
                  f"failed {len(failures)}", flush=True)

    await asyncio.gather(*(one(i) for i in range(args.visits)))
    return samples, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visits", type=int, default=2000, help="visits in all (default 2000)")
    ap.add_argument("--every", type=int, default=200, help="print RSS every N visits")
    ap.add_argument("--concurrency", type=int, default=4, help="visits at once (default 4)")
    ap.add_argument("--clients", type=int, default=50, help="load clients visits cycle over")
    ap.add_argument("--rounds", type=int, default=12,
                    help="bcrypt cost (default 12, production's; memory does not depend on it, "
                         "a lower one only makes the soak quicker)")
    ap.add_argument("--limit", type=float, default=1.2,
                    help="verdict: last RSS at most this times the first sample (default 1.2)")
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds for one script run")
    ap.add_argument("--keep-logs", action="store_true", help="keep the app log and data")
    args = ap.parse_args()
    if args.visits < 2 * args.every:
        ap.error("--visits must be at least twice --every (a first and a last sample)")
    c.at_root()
    tmp = Path(tempfile.mkdtemp(prefix="companion-bench-soak-"))
    data = tmp / "data"
    data.mkdir(mode=0o700)  # private, or the start-up check refuses to serve
    url = f"sqlite:///{data / 'companion.db'}"
    server = None
    try:
        load.use_database(url, data, args.rounds, c.cookie_key())
        names = load.seed(args.clients)
        server = load.AppServer(dict(os.environ), tmp / "streamlit.log")
        server.wait_healthy()
        print(f"Soak: {args.visits} visits (sign-in, check-in, trends, sign-out) to one app "
              f"process, {args.concurrency} at once, {len(names)} clients, bcrypt cost "
              f"{args.rounds}; runner.postScriptGC in .streamlit/config.toml: "
              f"{_shipped_post_script_gc()}; {c.machine()}", flush=True)
        print(f"  before any visit: RSS {server.rss_mb():.1f} MB", flush=True)
        cpu0 = server.cpu_s()
        samples, failures = asyncio.run(soak(server, names, args))
        cpu = server.cpu_s() - cpu0
        errors = server.errors()
    finally:
        if server is not None:
            server.stop()
        from companion.core import db

        db.engine_for(url).dispose()
        if args.keep_logs:
            print(f"  log and data kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    first, last = samples[0][1], samples[-1][1]
    ok = last <= args.limit * first
    print(f"app CPU {cpu:.0f} s ({cpu / args.visits:.2f} s per visit); failed visits "
          f"{len(failures)}")
    for line in failures[:5]:
        print(f"  FAILED {line}")
    for line, n in errors.most_common(5):
        print(f"  app log: {n}x {line}")
    print(f"VERDICT memory: RSS after {samples[-1][0]} visits {last:.1f} MB "
          f"{'<=' if ok else '>'} {args.limit:g} x {first:.1f} MB (after {samples[0][0]}) = "
          f"{args.limit * first:.1f} MB: {'met' if ok else 'NOT met'} "
          f"(growth {100 * (last / first - 1):+.1f}%)")
    return 0 if ok and not failures else 1


def _shipped_post_script_gc() -> object:
    from companion.core.safety_check import config_file_options

    return config_file_options(c.ROOT / ".streamlit" / "config.toml")("runner.postScriptGC")


if __name__ == "__main__":
    sys.exit(main())
