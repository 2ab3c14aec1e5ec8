"""A process killed mid-burst (SIGKILL: no cleanup, no atexit) leaves SQLite intact and keeps
every save it acknowledged.

The child saves check-ins through the real service (`checkins.record_checkin`, one
`session_scope()` each, as the check-in page does) for every demo client in turn, and prints
each new row's id only after its commit returned. The test reads those acknowledgements and
kills the child after ACKS of them, while it is in the middle of further saves. No sleeps: the
kill is timed by the child's own output.
"""
from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from companion import demo
from companion.core import db
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="SQLite file integrity after a kill; PostgreSQL's WAL is the server's")

ROOT = Path(__file__).resolve().parents[2]
ACKS = 60          # acknowledged saves before the kill
LIMIT = 5000       # the child never saves more than this
DEADLINE_S = 25.0  # the whole test stays well under 30 s

CHILD = textwrap.dedent("""
    import sys
    from sqlmodel import select
    from companion import checkins
    from companion.core import db
    from companion.actors import Actor
    from companion.checkins import CheckInEntry
    from companion.models import User

    with db.session_scope() as session:
        clients = [Actor.of(u) for u in session.exec(
            select(User).where(User.role.in_(["client", "alumni"])).order_by(User.id))]
    print("ready", len(clients), flush=True)
    for i in range(int(sys.argv[1])):
        actor = clients[i % len(clients)]
        entry = CheckInEntry(mood=1 + i % 10, craving=i % 11, stress=i % 11, used="no",
                             sleep_hours=(i % 48) / 2, note=f"burst save {i} " + "x" * (i % 300))
        with db.session_scope() as session:
            saved = checkins.record_checkin(session, actor, entry).checkin
        print(saved.id, actor.id, saved.version, flush=True)  # after the commit returned
""")


def _reader(stream, lines: "queue.Queue[str | None]") -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def test_sigkill_mid_burst_keeps_the_file_intact_and_every_acknowledged_save(db_url):
    with db.session_scope() as session:
        demo.seed(session, "a quiet harbor at dawn 42")
    db.get_engine().dispose()
    path = db_url.split("///", 1)[1]

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(LIMIT)], cwd=ROOT, env=dict(os.environ),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: "queue.Queue[str | None]" = queue.Queue()
    threading.Thread(target=_reader, args=(child.stdout, lines), daemon=True).start()
    acked: list[tuple[int, int, int]] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        ready = lines.get(timeout=DEADLINE_S)
        assert ready and ready.startswith("ready"), child.stderr.read() if ready is None else ready
        assert int(ready.split()[1]) >= 8
        while len(acked) < ACKS:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, f"the child stopped early:\n{child.stderr.read()}"
            acked.append(tuple(int(x) for x in line.split()))
        os.killpg(child.pid, signal.SIGKILL)  # mid-burst: it is saving the next one now
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    while (line := lines.get(timeout=5)) is not None:  # printed before the kill: acked too
        acked.append(tuple(int(x) for x in line.split()))
    child.stderr.close()
    assert ACKS <= len(acked) < LIMIT

    conn = sqlite3.connect(path)  # opening it replays the WAL, as the app would
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, client_id, version FROM checkins")}
        missing = [a for a in acked if rows.get(a[0]) != a[1:]]
        assert missing == [], f"acknowledged saves lost: {missing[:5]}"
        # Each client-day has exactly one current version, and it is the newest: a save is
        # all or nothing (the old version's is_current flip and the new row commit together).
        broken = conn.execute("""
            SELECT client_id, day, sum(is_current), max(version), count(*)
            FROM checkins GROUP BY client_id, day
            HAVING sum(is_current) != 1 OR count(*) != max(version)
                OR max(version) != max(CASE WHEN is_current THEN version END)""").fetchall()
        assert broken == []
        print(f"\ncrash safety: killed after {len(acked)} acknowledged saves "
              f"({ACKS} awaited); all {len(acked)} present among {len(rows)} check-in rows; "
              "integrity_check ok; one current version per client-day")
    finally:
        conn.close()
