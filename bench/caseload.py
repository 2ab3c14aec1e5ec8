"""The therapist's caseload with a year of data: SQL aggregates vs the page's server-side rerun.

Two therapists with 60 clients each, in a throwaway SQLite database: a check-in every day
(about 6% of days saved twice, so an older version stays with `is_current` false; a few
clients stopped checking in, two never did), about three cravings a day, PHQ-9 and GAD-7
every 14 days, open and acknowledged flags (a few urgent), and three group sessions a week
per track and site with attendance. It measures at 90 days of history, then adds the older
275 days and measures again at 365. For each it times
  (a) raw SQL: the SELECTs `caseload.view` (the page's call) sends (captured once with a
      `before_cursor_execute` listener, replayed on a DBAPI cursor),
  (b) service: `caseload.view` in a new session with its commit and the audit seal,
      as the page's `session_scope()` runs it,
  (c) page: an AppTest rerun of router.py -> pages/therapist/caseload.py, signed in as
      therapist 1 through the real form and second factor,
and prints median/p95, the ratios, the SQL statements per page rerun, the service's parts
and SQLite's EXPLAIN QUERY PLAN for the check-in aggregates. A benchmark: it asserts nothing.

    .venv/bin/python bench/caseload.py [--runs 20] [--clients 60]
"""
from __future__ import annotations

import argparse
import contextlib
import math
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, time as dtime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

PASSWORD = "quiet harbor lantern 7319"
THERAPISTS = ("bench-therapist1", "bench-therapist2")
# The secret tests/conftest.py gives test staff (STAFF_TOTP). Importing tests.conftest here
# would reset DATABASE_URL and the data dir, so the code is made with pyotp directly.
STAFF_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PHASES = (90, 365)
PAGE = "pages/therapist/caseload.py"
TRACKS = ("morning", "evening")
SITES = ("north", "river")
GROUP_DAYS = ("MO", "WE", "TH")
GROUP_HOUR = {"morning": 9, "evening": 18}
GROUP_MINUTES = 180


# --- data ---------------------------------------------------------------------------------

@contextlib.contextmanager
def same_ciphertext_for_repeats():
    """While bulk rows are written, encrypt each distinct text once (the empty notes of
    thousands of rows): Fernet per value would take most of the set-up time. Rows keep valid
    ciphertexts, only identical ones; nothing here reads or compares them."""
    from companion.core import crypto

    original, seen = crypto.encrypt, {}

    def encrypt(text: str) -> str:
        if text not in seen:
            seen[text] = original(text)
        return seen[text]

    crypto.encrypt = encrypt
    try:
        yield
    finally:
        crypto.encrypt = original


class Cohort:
    """Users, enrolments and group series; `add_days` writes one span of history."""

    def __init__(self, n_clients: int):
        from sqlmodel import select

        from companion.core import db
        from companion.models import Enrolment, GroupSeries, Role, User
        from companion.passwords import hash_password
        from companion.core.timeutil import clinic_today, clinic_zone, utcnow

        db.migrate()
        self.today, self.zone, self.now = clinic_today(), clinic_zone(), utcnow()
        hashed = hash_password(PASSWORD)
        enrolled = self._midnight(self.today - timedelta(days=PHASES[0] + 4))
        with db.session_scope() as session:
            for i, name in enumerate(THERAPISTS, 1):
                session.add(User(username=name, display_name=f"Bench Therapist {i}",
                                 role=Role.THERAPIST, password_hash=hashed,
                                 must_change_password=False, totp_secret=STAFF_TOTP))
            session.flush()
            staff = {u.username: u.id for u in session.exec(
                select(User).where(User.role == Role.THERAPIST))}
            self.therapist_ids = [staff[name] for name in THERAPISTS]
            self.clients: list[tuple[int, int, str, str]] = []  # (id, index, track, site)
            for t, therapist_id in enumerate(self.therapist_ids):
                for i in range(n_clients):
                    user = User(username=f"bench-c{t + 1}-{i:03d}",
                                display_name=f"Client {t + 1}-{i:03d}", role=Role.CLIENT,
                                password_hash=hashed, must_change_password=False,
                                notice_acknowledged_at=self.now)
                    session.add(user)
                    session.flush()
                    track, site = TRACKS[i % 2], SITES[(i // 2) % 2]
                    session.add(Enrolment(client_id=user.id, therapist_id=therapist_id,
                                          track=track, location=site, enrolled_at=enrolled))
                    self.clients.append((user.id, i, track, site))
            self.series: dict[tuple[str, str], int] = {}
            for track in TRACKS:
                for site in SITES:
                    s = GroupSeries(title=f"{track.title()} group, {site}", track=track,
                                    location=site, facilitator_id=self.therapist_ids[
                                        TRACKS.index(track)], capacity=40,
                                    starts_at=self._series_start(PHASES[0]),
                                    duration_minutes=GROUP_MINUTES,
                                    rrule="FREQ=WEEKLY;BYDAY=" + ",".join(GROUP_DAYS),
                                    tzid=self.zone.key)
                    session.add(s)
                    session.flush()
                    self.series[(track, site)] = s.id

    def _midnight(self, day) -> datetime:
        return datetime.combine(day, dtime(0, 0), self.zone).astimezone(timezone.utc)

    def _series_start(self, days: int) -> datetime:
        """A Monday at least `days` back, at the track's hour (whole weeks, so an earlier
        start keeps every later occurrence)."""
        monday = self.today - timedelta(days=self.today.weekday())
        weeks = math.ceil(days / 7) + 1
        return datetime.combine(monday - timedelta(weeks=weeks), dtime(9, 0),
                                self.zone).astimezone(timezone.utc)

    def add_days(self, first_offset: int, last_offset: int) -> Counter:
        """History for the days today-first_offset ... today-last_offset (inclusive), and
        make the cohort look enrolled (and the groups scheduled) since then."""
        with same_ciphertext_for_repeats():
            return self._add_days(first_offset, last_offset)

    def _add_days(self, first_offset: int, last_offset: int) -> Counter:
        import sqlalchemy as sa

        from companion import groups, instruments
        from companion.core import db
        from companion.models import (CheckIn, Craving, Enrolment, Flag, GroupAttendance,
                                      GroupSeries, MeasureResponse)

        engine = db.get_engine()
        start_day = self.today - timedelta(days=first_offset)
        days = [self.today - timedelta(days=o) for o in range(first_offset, last_offset - 1, -1)]
        start = self._midnight(start_day)
        counts: Counter = Counter()
        with engine.begin() as conn:
            conn.execute(sa.update(Enrolment).values(enrolled_at=start - timedelta(days=4)))
            for (track, _site), sid in self.series.items():
                at = self._series_start(first_offset).astimezone(self.zone)
                at = at.replace(hour=GROUP_HOUR[track]).astimezone(timezone.utc)
                conn.execute(sa.update(GroupSeries).where(GroupSeries.id == sid)
                             .values(starts_at=at))
        # Group occurrences held in the span (read back through the app's own expansion).
        end = min(self.now, self._midnight(days[-1] + timedelta(days=1)))
        with db.session_scope() as session:
            held = {key: [o for o in groups.occurrences(session, start, end, track=key[0],
                                                        location=key[1])
                          if o.ends_at <= self.now] for key in self.series}
        instruments_ = {i: instruments.get(i) for i in ("phq9", "gad7")}
        for client_id, index, track, site in self.clients:
            rng = random.Random(f"{client_id}-{first_offset}")
            rows = self._client_rows(rng, client_id, index, days, instruments_)
            occ = held[(track, site)]
            rows["attendance"] = [
                {"series_id": o.series.id,
                 "occurrence_at": o.occurrence_at, "client_id": client_id, "version": 1,
                 "is_current": True, "status": rng.choices(
                     [groups.PRESENT, groups.ABSENT, groups.EXCUSED], [0.8, 0.15, 0.05])[0],
                 "starts_at": o.starts_at, "minutes": o.minutes,
                 "marked_by": o.series.facilitator_id, "created_at": o.ends_at} for o in occ]
            with engine.begin() as conn:  # one transaction per client keeps memory small
                for table, model in (("checkins", CheckIn), ("cravings", Craving),
                                     ("flags", Flag), ("measures", MeasureResponse),
                                     ("attendance", GroupAttendance)):
                    if rows[table]:
                        conn.execute(model.__table__.insert(), rows[table])
                    counts[table] += len(rows[table])
        return counts

    def _client_rows(self, rng, client_id: int, index: int, days, instruments_) -> dict:
        from companion import instruments

        today, now, zone = self.today, self.now, self.zone
        never = index % 30 == 0                       # enrolled, never checked in
        stopped = today - timedelta(days=5) if index % 15 == 1 else None  # went quiet
        therapist = self.therapist_ids[0]

        def utc_at(day, hour, minute):
            return min(now, datetime.combine(day, dtime(hour, minute), zone)
                       .astimezone(timezone.utc))

        rows = {k: [] for k in ("checkins", "cravings", "flags", "measures")}
        base_mood = rng.uniform(4, 7)
        for day in days:
            if never or (stopped and day > stopped):
                continue
            versions = 2 if rng.random() < 0.06 else 1
            if day == today and rng.random() < 0.4:
                versions = 0  # not yet today
            for version in range(1, versions + 1):
                mood = max(0, min(10, round(rng.gauss(base_mood, 1.5))))
                rows["checkins"].append({
                    "client_id": client_id, "day": day,
                    "version": version, "is_current": version == versions, "mood": mood,
                    "craving": rng.randint(0, 9),
                    "stress": max(0, min(10, 10 - mood + rng.randint(-2, 2))),
                    "sleep_hours": rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8]),
                    "sleep_quality": rng.randint(1, 5),
                    "used": "yes" if rng.random() < 0.03 else "no", "use_details": "",
                    "medication": rng.choice([None, "yes", "no"]), "note": "",
                    "bring_to_group": "",
                    "created_at": utc_at(day, 8 + 6 * version, rng.randint(0, 59))})
            for _ in range(rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 2, 1])[0]):  # ~3 a day
                at = utc_at(day, rng.choice([7, 8, 12, 15, 17, 19, 20, 21, 22]),
                            rng.randint(0, 59))
                local = at.astimezone(zone)
                rows["cravings"].append({
                    "client_id": client_id, "at": at,
                    "local_day": local.date(), "local_hour": local.hour,
                    "local_weekday": local.weekday(), "intensity": rng.randint(2, 10),
                    "where": "", "with_whom": "",
                    "outcome": rng.choices(["passed", "still_there", "used", None],
                                           [0.7, 0.15, 0.03, 0.12])[0],
                    "duration_minutes": rng.choice([5, 10, 15, 20, 30, None]),
                    "surf_seconds": None, "note": "", "followup_intensity": None,
                    "followup_at": None, "updated_at": at})
            offset = (today - day).days
            if offset % 14 == index % 14 and not never:  # PHQ-9 and GAD-7 every two weeks
                for instrument_id, instrument in instruments_.items():
                    answers = {item.id: rng.choice([o.score for o in item.options])
                               for item in instrument.items("")}
                    rows["measures"].append({
                        "client_id": client_id,
                        "instrument": instrument_id, "form": "", "answers": answers,
                        "scores": instruments.score(instrument, answers, "").values,
                        "completed_at": utc_at(day, 10, rng.randint(0, 59)), "local_day": day})
            if offset % 10 == index % 10 and offset > 3:  # a handled flag every ten days
                raised = utc_at(day, 12, 0)
                rows["flags"].append(self._flag(client_id, "craving_high",
                                                "Check-in craving 8/10", raised, False,
                                                raised + timedelta(hours=20), therapist))
            if offset == 1 and index % 5 == 0:  # open flags, some urgent
                rows["flags"].append(self._flag(client_id, "craving_high",
                                                "Craving logged at 9/10", utc_at(day, 21, 5),
                                                False, None, None))
            if offset == 0 and index % 25 == 3:
                rows["flags"].append(self._flag(
                    client_id, "self_harm", "PHQ-9 item 9 answered 1 (thoughts of death or "
                    "self-harm): follow up today", utc_at(day, 7, 30), True, None, None))
        return rows

    def _flag(self, client_id, rule, reason, raised, urgent, acked, by) -> dict:
        return {"client_id": client_id, "rule": rule,
                "reason": reason, "source_kind": "checkin", "source_id": None,
                "raised_at": raised, "acknowledged_by": by,
                "tier": ("urgent" if urgent else "same_day" if rule == "craving_high"
                         else "routine"),
                "acknowledged_at": acked, "ack_note": "Called; plan reviewed" if acked else ""}


# --- (a) and (b) --------------------------------------------------------------------------

def label_of() -> str:
    """The innermost companion function on the stack: who sent this statement."""
    frame = sys._getframe(2)
    root = str(c.ROOT) + "/"
    while frame is not None:
        name = frame.f_code.co_filename
        rel = name[len(root):] if name.startswith(root) else ""
        if rel.startswith(("companion/", "pages/")) or rel == "router.py":
            rel = rel.removesuffix(".py").replace("/", ".").removeprefix("companion.")
            return f"{rel}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "commit (flush)"


def service_once(actor, parts: dict | None = None, clock=time.perf_counter):
    """`caseload.view` (what the page calls) exactly as its `session_scope()` runs it, timed
    in parts; returns the frame."""
    from sqlmodel import Session

    from companion import caseload
    from companion.audit import seal
    from companion.core.db import get_engine

    engine = get_engine()
    t0 = clock()
    with Session(engine, expire_on_commit=False) as session:
        frame = caseload.view(session, actor).frame
        t1 = clock()
        session.commit()
        t2 = clock()
        if session.info.pop("audit_dirty", False):
            seal(engine)
    t3 = clock()
    if parts is not None:
        for name, dt in (("view() call", t1 - t0), ("commit (audit INSERTs)", t2 - t1),
                         ("audit seal", t3 - t2)):
            parts.setdefault(name, []).append(dt)
    return frame


HELPERS = (("caseload", "_clients"), ("caseload", "_caseload_flags"),
           ("flags", "for_missing_checkins"), ("caseload", "_checkin_stats"),
           ("caseload", "_open_flags"), ("caseload", "_latest_scores"),
           ("outcomes", "rows_for"), ("groups", "attendance_counts"),
           ("audit", "record_rows"))


def service_breakdown(actor, runs: int) -> dict[str, list[float]]:
    """Where one `view` call spends its CPU time (this thread's, SQLite included):
    each helper it calls (SQL and the Python around it), the rest of the call (rows,
    DataFrame, sort), the commit, the seal. CPU time holds steadier than wall time on a
    busy machine."""
    import importlib

    spent: dict[str, float] = {}
    patched = []
    for module_name, name in HELPERS:
        module = importlib.import_module(f"companion.{module_name}")
        original = getattr(module, name)

        def timed_helper(*a, _original=original, _label=f"{module_name}.{name}", **kw):
            t = time.thread_time()
            try:
                return _original(*a, **kw)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.thread_time() - t

        setattr(module, name, timed_helper)
        patched.append((module, name, original))
    out: dict[str, list[float]] = {}
    try:
        for _ in range(runs):
            spent.clear()
            parts: dict[str, list[float]] = {}
            service_once(actor, parts, clock=time.thread_time)
            helpers = sum(spent.values())
            for label, dt in spent.items():
                out.setdefault(label, []).append(dt)
            out.setdefault("rest of the call (rows, DataFrame, sort)", []).append(
                parts["view() call"][0] - helpers)
            for label in ("commit (audit INSERTs)", "audit seal"):
                out.setdefault(label, []).append(parts[label][0])
    finally:
        for module, name, original in patched:
            setattr(module, name, original)
    return out


def last_checkin_candidate(actor, expected: dict) -> tuple[str, tuple, bool]:
    """The newest check-in day per client as a correlated MAX (one index seek per client
    instead of a GROUP BY over every check-in): its SQL, params and whether it agrees."""
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from companion import caseload
    from companion.core.db import get_engine
    from companion.models import CheckIn, User

    sent = []
    engine = get_engine()
    with Session(engine) as session:
        ids = [row.id for row in caseload._clients(session, actor)]
        newest = (select(func.max(CheckIn.day)).where(CheckIn.client_id == User.id)
                  .correlate(User).scalar_subquery())
        with c.each_statement(engine, lambda sql, params, _many: sent.append((sql, params))):
            rows = session.exec(select(User.id, newest).where(col(User.id).in_(ids))).all()
    got = {client_id: day for client_id, day in rows if day is not None}
    return sent[-1][0], sent[-1][1], got == expected


def capture(actor) -> list[tuple[str, str, tuple, bool]]:
    """(label, SQL, params, executemany) of everything one service call sends."""
    from companion.core.db import get_engine

    sent = []
    with c.each_statement(get_engine(),
                          lambda sql, params, many: sent.append((label_of(), sql, params, many))):
        service_once(actor)
    return sent


def is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


# --- (c) the page ---------------------------------------------------------------------------

def open_caseload_page():
    import pyotp

    at = c.signed_in_app(THERAPISTS[0], PASSWORD)  # at the second-factor page
    c.by_label(at.text_input, "Code").input(pyotp.TOTP(STAFF_TOTP).now())
    c.by_label(at.button, "Continue").click()
    with c.quiet():
        at.run()
        at.run()  # as the cookie component's own rerun would; the caseload is the default
    return at


def bare_caseload_page(page_at, folder):
    """A page drawing the same kinds and number of elements as the caseload page just run
    (its cards, flag boxes, filters: `rerun.bare_script`), with no database, no login library
    and no navigation: what Streamlit alone costs for what the page shows. Returns the
    AppTest and the element kinds it could not draw."""
    import tempfile

    from streamlit.testing.v1 import AppTest

    import rerun

    source, skipped = rerun.bare_script(page_at)
    bare_dir = Path(tempfile.mkdtemp(prefix="bare-caseload-", dir=folder))  # no pages/ beside
    (bare_dir / "bare_caseload.py").write_text(source)
    at = AppTest.from_file(str(bare_dir / "bare_caseload.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at, skipped


def page_ok(at) -> bool:
    return not at.exception and any(t.value == "My caseload" for t in at.title)


def page_rows(at) -> int:
    """Clients shown: one card each, each with its "Record" button."""
    return sum(1 for b in at.button if (b.key or "").startswith("card-open-"))


# --- main ---------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20, help="timed repetitions of each (default 20)")
    ap.add_argument("--clients", type=int, default=60, help="clients per therapist (default 60)")
    args = ap.parse_args()
    return c.in_fresh_env("companion-bench-caseload-", 4, lambda _tmp: run(args))


def med(samples: list[float]) -> float:
    return statistics.median(samples)


def run(args) -> int:
    from companion.actors import Actor
    from companion.core.db import get_engine, session_scope
    from companion.models import User

    machine = c.machine()
    t0 = time.perf_counter()
    cohort = Cohort(args.clients)
    engine = get_engine()
    with session_scope() as session:
        actor = Actor.of(session.get(User, cohort.therapist_ids[0]))
    print("Caseload benchmark — SQLite, streamlit AppTest (server-side script runs, no "
          "browser); " + machine)
    print(f"{len(THERAPISTS)} therapists x {args.clients} clients; timed as therapist 1; "
          f"{args.runs} runs of each")

    results: dict[int, dict] = {}
    at = None
    statements: list[str] = []
    span = (PHASES[0] - 1, 0)
    totals: Counter = Counter()
    for days in PHASES:
        t = time.perf_counter()
        totals.update(cohort.add_days(*span))
        load_s = time.perf_counter() - t
        span = (PHASES[-1] - 1, days)  # the next phase adds the older days
        r = results[days] = {"load_s": load_s, "totals": dict(totals)}

        service_once(actor)  # warm; the first call of all also raises due "no check-in" flags
        sent = capture(actor)
        selects = [(name, sql, params) for name, sql, params, many in sent
                   if is_select(sql) and not many and not name.startswith("audit:seal")]
        r["sent"] = Counter(name for name, *_ in sent)
        r["writes"] = Counter(" ".join(sql.split()[:3]) for _n, sql, _p, _m in sent
                              if not is_select(sql))
        raw_conn = engine.raw_connection()
        try:
            r["rows"] = c.replay(raw_conn, selects)  # warm
            r["statements"] = len(selects)
            r["raw"], r["raw_cpu"] = c.timed_cpu(lambda: c.replay(raw_conn, selects), args.runs)
            r["per_stmt"] = {}
            for i, (name, sql, params) in enumerate(selects):
                r["per_stmt"][(i, name)] = c.timed_cpu(
                    lambda: c.replay(raw_conn, [(name, sql, params)]), args.runs)
            with session_scope() as session:
                from companion import caseload as service
                expected = service._last_checkin(
                    session, [row.id for row in service._clients(session, actor)])
            sql, params, same = last_checkin_candidate(actor, expected)
            c.replay(raw_conn, [("candidate", sql, params)])
            r["candidate"] = (c.timed_cpu(lambda: c.replay(raw_conn, [("candidate", sql, params)]),
                                          args.runs), same)
            cur = raw_conn.cursor()
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            r["candidate_plan"] = [row[-1] for row in cur.fetchall()]
            r["plans"] = {}
            for i, (name, sql, params) in enumerate(selects):
                if "checkins" in sql:
                    cur.execute("EXPLAIN QUERY PLAN " + sql, params)
                    r["plans"][(i, name)] = [row[-1] for row in cur.fetchall()]
            cur.close()
        finally:
            raw_conn.close()
        r["service"], r["service_cpu"] = c.timed_cpu(lambda: service_once(actor), args.runs)
        r["breakdown"] = service_breakdown(actor, args.runs)
        r["frame_rows"] = len(service_once(actor))

        if at is None:
            at = open_caseload_page()
        if not page_ok(at):
            return c.did_not_render("caseload", at)
        with c.quiet():
            at.run()  # warm
        labelled: list[str] = []
        # one untimed, labelled rerun
        with c.each_statement(engine, lambda *_: labelled.append(label_of())), c.quiet():
            at.run()
        r["page_sent"] = Counter(labelled)
        samples, cpu, per, failures = [], [], Counter(), []
        with c.each_statement(engine, lambda sql, *_: statements.append(sql)):
            for _ in range(args.runs):
                statements.clear()
                c0, t = time.process_time(), time.perf_counter()
                with c.quiet():
                    at.run()
                elapsed = time.perf_counter() - t
                cpu_s = time.process_time() - c0
                if not page_ok(at):
                    failures.append(str(at.exception[0].message if at.exception
                                        else "no 'My caseload'"))
                    continue
                samples.append(elapsed)
                cpu.append(cpu_s)
                per[len(statements)] += 1
        r["page"], r["page_cpu"], r["per_rerun"], r["failures"] = samples, cpu, per, failures
        bare, r["bare_skipped"] = bare_caseload_page(at, Path(engine.url.database).parent)
        r["bare"], r["bare_cpu"] = c.timed_cpu(bare.run, args.runs)
        r["page_rows"] = page_rows(at)
        r["open_flags_shown"] = next((s.value for s in at.header
                                      if s.value.startswith("Needs attention")), "?")
    setup_s = time.perf_counter() - t0

    # --- report ---------------------------------------------------------------------------
    for days in PHASES:
        r = results[days]
        print(f"{days:>3} days: data written in {r['load_s']:.1f} s; rows in total: "
              + ", ".join(f"{k} {v}" for k, v in r["totals"].items()))
    print(f"whole run (data, timing, page) {setup_s:.0f} s")
    print()
    print("times in ms, median / p95; 'raw SQL' = the SELECTs caseload.view sends, replayed on "
          "a DBAPI cursor; 'service' = caseload.view in a new session + commit + audit seal; "
          "'page' = AppTest rerun of router.py -> pages/therapist/caseload.py")
    a, b = (results[d] for d in PHASES)
    for clock, suffix in (("wall clock", ""), ("process CPU time (steadier on a busy machine)",
                                               "_cpu")):
        print(f"{clock}:")
        head = (f"{'history':>7} | {'stmts':>5} | {'rows':>5} | {'raw SQL':>17} | "
                f"{'service':>17} | {'page rerun':>17} | {'page/service':>12} | "
                f"{'service/raw':>11} | {'page/raw':>8}")
        print(head)
        print("-" * len(head))
        for days in PHASES:
            r = results[days]
            raw, service, page = r["raw" + suffix], r["service" + suffix], r["page" + suffix]
            line = (f"{days:>5} d | {r['statements']:>5} | {r['rows']:>5} | {c.ms(raw)} | "
                    f"{c.ms(service)} | ")
            if page:
                line += (f"{c.ms(page)} | {med(page) / med(service):11.1f}x | "
                         f"{med(service) / med(raw):10.1f}x | {med(page) / med(raw):7.1f}x")
            else:
                line += "(all page reruns failed)"
            print(line)
        growth = [f"{name} {med(b[key + suffix]) / med(a[key + suffix]):.2f}x"
                  for name, key in (("raw SQL", "raw"), ("service", "service"), ("page", "page"))
                  if a[key + suffix] and b[key + suffix]]
        print(f"{PHASES[1]} d / {PHASES[0]} d (medians): " + ", ".join(growth))
        print()
    for days in PHASES:
        r = results[days]
        print(f"{days} d: page shows {r['page_rows']} clients (service frame "
              f"{r['frame_rows']} rows), '{r['open_flags_shown']}'")
        for error in r["failures"][:1]:
            print(f"WARNING {days} d: {len(r['failures'])} of {args.runs} page reruns failed "
                  f"and are left out; first: {error}")
    print("side by side with a bare page (the same kinds and number of elements as the page: "
          "cards, flag boxes, filters; "
          "no database): median ms wall / CPU")
    for days in PHASES:
        r = results[days]
        if not r["page"]:
            continue
        if r.get("bare_skipped"):
            print(f"  {days:>3} d: the bare page leaves out {sorted(set(r['bare_skipped']))}")
        statements = max(r["per_rerun"])
        for suffix, clock in (("", "wall"), ("_cpu", "CPU")):
            page, bare, raw = (med(r[k + suffix]) * 1000 for k in ("page", "bare", "raw"))
            ratio = page / (bare + raw)
            print(f"  {days:>3} d {clock:<4}: page {page:7.2f} | bare {bare:7.2f} + raw SQL "
                  f"{raw:6.2f} = {bare + raw:7.2f} | page/(bare+raw) {ratio:5.2f}x")
        ratio = med(r["page"]) / (med(r["bare"]) + med(r["raw"]))
        ok_ratio, ok_sql = ratio <= 2, statements <= 12
        print(f"VERDICT caseload {days} d: {statements} statements per rerun "
              f"{'<=' if ok_sql else '>'} 12: {'met' if ok_sql else 'NOT met'}; page "
              f"{ratio:.2f}x (bare + raw SQL) {'<=' if ok_ratio else '>'} 2x: "
              f"{'met' if ok_ratio else 'NOT met'} (wall clock)")
    print("SQL statements per page rerun: " + "; ".join(
        f"{days} d: " + ", ".join(f"{n} (in {k} runs)" for n, k in sorted(
            results[days]["per_rerun"].items())) for days in PHASES))
    print(f"  one {PHASES[-1]}-day rerun, by sender: " + ", ".join(
        f"{name} {n}" for name, n in b["page_sent"].most_common()))
    print("  one service call, by sender: " + ", ".join(
        f"{name} {n}" for name, n in b["sent"].most_common()))
    print("  its writes: " + ", ".join(f"{n} x {k}" for k, n in b["writes"].items()))
    if c.DEPRECATIONS:
        print("Streamlit deprecation warnings during the page reruns: "
              + "; ".join(f"{n} x {t}" for t, n in c.DEPRECATIONS.items()))
    print()
    print("inside one service call: CPU ms of this thread (SQLite included), median of "
          f"{args.runs} separate runs")
    print(f"  {'':<42} {PHASES[0]:>5} d {PHASES[1]:>5} d")
    for label in a["breakdown"]:
        print(f"  {label:<42} {med(a['breakdown'][label]) * 1000:7.2f} "
              f"{med(b['breakdown'][label]) * 1000:7.2f}")
    total = [sum(med(r["breakdown"][k]) for k in r["breakdown"]) for r in (a, b)]
    print(f"  {'sum':<42} {total[0] * 1000:7.2f} {total[1] * 1000:7.2f}")
    print(f"each SELECT replayed alone, median ms wall / CPU ({PHASES[0]} d -> {PHASES[1]} d):")

    def both(samples) -> str:
        wall, cpu = samples
        return f"{med(wall) * 1000:6.3f} / {med(cpu) * 1000:6.3f}"

    for key in a["per_stmt"]:
        i, name = key
        other = b["per_stmt"].get(key)
        tail = f" -> {both(other)}" if other else ""
        print(f"  #{i:<2} {name:<30} {both(a['per_stmt'][key])}{tail}")
    print(f"  candidate: newest check-in day as a correlated MAX per client "
          f"{both(a['candidate'][0])} -> {both(b['candidate'][0])} (same result as "
          f"_last_checkin: {a['candidate'][1]} / {b['candidate'][1]})")
    print()
    print(f"EXPLAIN QUERY PLAN of the SELECTs that read checkins ({PHASES[-1]} d; no ANALYZE, "
          "as in production):")
    for (i, name), plan in b["plans"].items():
        print(f"  #{i:<2} {name}: " + " | ".join(plan))
    print("  candidate correlated MAX: " + " | ".join(b["candidate_plan"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
