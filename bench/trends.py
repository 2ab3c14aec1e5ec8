"""The trends page with a year of data: SQL aggregates vs the page's server-side rerun.

One client with 365 days of check-ins and 2,000 craving entries, among 20 other clients with
the same volume, in a throwaway SQLite database. In one process it times
  (a) the aggregates' raw SQL (the statements the services send, replayed on a DBAPI cursor),
  (b) the service functions exactly as `draw_trends` calls them (authorize + SQL + DataFrame),
  (c) the Altair charts built from those frames and serialised (`to_dict`),
  (d) the trends page's rerun through `streamlit.testing.v1.AppTest` (router.py: crisis control,
      gate, navigation, pages/client/trends.py), for each window of the page,
and prints median/p95 per window, the ratios, the SQL statements per page rerun and
SQLite's EXPLAIN QUERY PLAN for each aggregate. A benchmark, not a test: it asserts nothing.

    .venv/bin/python bench/trends.py [--runs 30] [--others 20] [--cravings 2000]
"""
from __future__ import annotations

import argparse
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
USERNAME = "bench-client"
DAYS = 365
PAGE = "pages/client/trends.py"


# --- data ---------------------------------------------------------------------------------

class Ids:
    def __init__(self):
        self.checkin = self.craving = self.tag = 0

    def next(self, kind: str) -> int:
        setattr(self, kind, getattr(self, kind) + 1)
        return getattr(self, kind)


def client_rows(rng: random.Random, ids: Ids, client_id: int, n_cravings: int, clinic,
                today, now: datetime, zone):
    """A year of check-ins (some days saved twice) and `n_cravings` cravings, with tags."""
    checkins, cravings, tags = [], [], []
    usual = rng.sample(clinic.triggers, 6)
    favourite = rng.sample(clinic.coping, 5)
    effect = {name: rng.uniform(0.5, 4) for name in favourite}

    def utc_at(day, hour, minute):
        return min(now, datetime.combine(day, dtime(hour, minute), zone).astimezone(timezone.utc))

    def tag(kind, entry_id, tag_type, label, day):
        tags.append({"id": ids.next("tag"), "client_id": client_id, "entry_kind": kind,
                     "entry_id": entry_id, "tag_type": tag_type, "label": label, "day": day})

    days = [today - timedelta(days=offset) for offset in range(DAYS - 1, -1, -1)]
    for day in days:
        versions = 2 if rng.random() < 0.06 else 1
        for version in range(1, versions + 1):
            mood = rng.randint(2, 9)
            row = {"id": ids.next("checkin"), "client_id": client_id, "day": day,
                   "version": version, "is_current": version == versions, "mood": mood,
                   "craving": rng.randint(0, 9), "stress": max(0, min(10, 10 - mood
                                                                     + rng.randint(-2, 2))),
                   "sleep_hours": rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8]),
                   "sleep_quality": rng.randint(1, 5), "used": "no", "use_details": "",
                   "medication": rng.choice([None, "yes", "no"]), "note": "",
                   "bring_to_group": "",
                   "created_at": utc_at(day, 8 + 6 * version, rng.randint(0, 59))}
            checkins.append(row)
            for tag_type, labels in (("trigger", rng.sample(usual, rng.randint(0, 2))),
                                     ("skill", rng.sample(favourite, rng.randint(0, 2)))):
                for label in labels:
                    tag("checkin", row["id"], tag_type, label, day)
    for _ in range(n_cravings):
        at = now + timedelta(seconds=1)
        while at > now:  # today's cravings only up to now
            day = rng.choice(days)
            at = datetime.combine(day, dtime(rng.choice([7, 8, 12, 15, 16, 17, 18, 19, 20, 21,
                                                         22, 23]), rng.randint(0, 59)),
                                  zone).astimezone(timezone.utc)
        local = at.astimezone(zone)
        intensity = rng.randint(2, 10)
        coping = rng.sample(favourite, rng.randint(0, 2))
        row = {"id": ids.next("craving"), "client_id": client_id, "at": at,
               "local_day": local.date(), "local_hour": local.hour,
               "local_weekday": local.weekday(), "intensity": intensity, "where": "",
               "with_whom": "", "outcome": rng.choices(["passed", "still_there", "used", None],
                                                       [0.7, 0.15, 0.03, 0.12])[0],
               "duration_minutes": rng.choice([5, 10, 15, 20, 30, 45, None]),
               "surf_seconds": None, "note": "", "followup_intensity": None,
               "followup_at": None, "updated_at": at}
        if coping and rng.random() < 0.7:
            best = max(effect[name] for name in coping) + rng.uniform(-0.5, 0.5)
            row["followup_intensity"] = max(0, round(intensity - best))
            row["followup_at"] = at + timedelta(minutes=20)
        cravings.append(row)
        for tag_type, labels in (("trigger", rng.sample(usual, rng.randint(0, 2))),
                                 ("coping", coping)):
            for label in labels:
                tag("craving", row["id"], tag_type, label, local.date())
    return checkins, cravings, tags


def seed(n_others: int, n_cravings: int) -> tuple[int, dict[str, int]]:
    """Therapist + bench client + others, and their year of data. Returns (client id, counts)."""
    from sqlmodel import select

    from companion.core import db
    from companion.clinic import get_clinic
    from companion.models import CheckIn, Craving, Enrolment, EntryTag, Role, User
    from companion.passwords import hash_password
    from companion.core.timeutil import clinic_today, clinic_zone, utcnow

    db.migrate()
    hashed = hash_password(PASSWORD)
    with db.session_scope() as session:
        therapist = User(username="bench-therapist", display_name="Bench Therapist",
                         role=Role.THERAPIST, password_hash=hashed, must_change_password=False)
        session.add(therapist)
        session.flush()
        names = [USERNAME] + [f"bench-other{i:02d}" for i in range(1, n_others + 1)]
        session.add_all([User(username=n, display_name=f"Bench {n.split('-')[1].title()}",
                              role=Role.CLIENT, password_hash=hashed,
                              must_change_password=False, notice_acknowledged_at=utcnow())
                         for n in names])  # past the privacy notice, straight to the pages
        session.flush()
        users = session.exec(select(User).where(User.role == Role.CLIENT)).all()
        ids_by_name = {u.username: u.id for u in users}
        session.add_all([Enrolment(client_id=uid, therapist_id=therapist.id, track="morning",
                                   location="north",
                                   enrolled_at=utcnow() - timedelta(days=DAYS + 5))
                         for uid in ids_by_name.values()])
    rng = random.Random(2026)
    clinic, zone, today, now = get_clinic(), clinic_zone(), clinic_today(), utcnow()
    ids = Ids()
    counts = Counter()
    engine = db.get_engine()
    for name in names:  # one transaction per client keeps memory small
        checkins, cravings, tags = client_rows(rng, ids, ids_by_name[name], n_cravings,
                                               clinic, today, now, zone)
        with engine.begin() as conn:
            conn.execute(CheckIn.__table__.insert(), checkins)
            conn.execute(Craving.__table__.insert(), cravings)
            conn.execute(EntryTag.__table__.insert(), tags)
        if name == USERNAME:
            counts.update({"client check-in rows": len(checkins),
                           "client current check-ins": sum(r["is_current"] for r in checkins),
                           "client cravings": len(cravings), "client tags": len(tags)})
        counts.update({"all check-in rows": len(checkins), "all cravings": len(cravings),
                       "all tags": len(tags)})
    return ids_by_name[USERNAME], dict(counts)


# --- the aggregates, as draw_trends calls them --------------------------------------------

AGGREGATES = ("daily", "trigger_counts", "craving_heatmap", "craving_outcomes", "what_works",
              "days_with_checkin")


def service_bundle(actor, client_id: int, days: int, on_step=None) -> dict:
    """What `companion.ui.trends.draw_trends` runs for one window, in one session."""
    from companion import checkins, trends
    from companion.core.db import session_scope
    from companion.core.timeutil import clinic_today

    step = on_step or (lambda name: None)
    today = clinic_today()
    out = {}
    with session_scope() as session:
        step("daily")
        out["daily"] = trends.daily(session, actor, client_id, days)
        step("trigger_counts")
        out["triggers"] = trends.trigger_counts(session, actor, client_id, days)
        step("craving_heatmap")
        out["heat"] = trends.craving_heatmap(session, actor, client_id, days)
        step("craving_outcomes")
        out["outcomes"] = trends.craving_outcomes(session, actor, client_id, days)
        step("what_works")
        out["works"] = trends.what_works(session, actor, client_id)
        step("days_with_checkin")
        out["month_days"] = checkins.days_with_checkin(session, actor, client_id,
                                                       today.replace(day=1), today)
        step(None)
    return out


def capture(actor, client_id: int, days: int) -> list[tuple[str, str, tuple]]:
    """The SQL statements one bundle sends: (aggregate, statement, params)."""
    from companion.core.db import get_engine

    sent, current = [], ["?"]

    def record(statement, params, _many):
        name = "authorize (user)" if _table(statement) == "users" else current[0]
        sent.append((name, statement, tuple(params)))

    def step(name):
        current[0] = name or "commit"

    with c.each_statement(get_engine(), record):
        service_bundle(actor, client_id, days, step)
    return sent


CHARTS = ("daily_trends", "what_works", "trigger_counts", "craving_heatmap",
          "craving_outcomes", "checkin_calendar")


def chart_times(frames: dict, days: int) -> dict[str, tuple[float, float]]:
    """Build the page's six charts from the frames and serialise each as st.altair_chart does
    (`to_dict()`, validated). Returns chart -> (build s, to_dict s)."""
    from companion import charts
    from companion.core.timeutil import clinic_today

    makers = {"daily_trends": lambda: charts.daily_trends(frames["daily"], days),
              "what_works": lambda: charts.what_works(frames["works"]),
              "trigger_counts": lambda: charts.trigger_counts(frames["triggers"]),
              "craving_heatmap": lambda: charts.craving_heatmap(frames["heat"]),
              "craving_outcomes": lambda: charts.craving_outcomes(frames["outcomes"]),
              "checkin_calendar": lambda: charts.checkin_calendar(frames["month_days"],
                                                                  clinic_today())}
    out = {}
    for name, make in makers.items():
        t0 = time.perf_counter()
        chart = make()
        t1 = time.perf_counter()
        if chart is not None:
            chart.to_dict()
        out[name] = (t1 - t0, time.perf_counter() - t1)
    return out


def service_times(actor, client_id: int, days: int) -> dict[str, float]:
    """Each aggregate's service call alone, in its own session (as a one-call page would)."""
    from companion import checkins, trends
    from companion.core.db import session_scope
    from companion.core.timeutil import clinic_today

    today = clinic_today()
    calls = {"daily": lambda s: trends.daily(s, actor, client_id, days),
             "trigger_counts": lambda s: trends.trigger_counts(s, actor, client_id, days),
             "craving_heatmap": lambda s: trends.craving_heatmap(s, actor, client_id, days),
             "craving_outcomes": lambda s: trends.craving_outcomes(s, actor, client_id, days),
             "what_works": lambda s: trends.what_works(s, actor, client_id),
             "days_with_checkin": lambda s: checkins.days_with_checkin(
                 s, actor, client_id, today.replace(day=1), today)}
    out = {}
    for name, call in calls.items():
        t0 = time.perf_counter()
        with session_scope() as session:
            call(session)
        out[name] = time.perf_counter() - t0
    return out


# --- the page -----------------------------------------------------------------------------

def open_trends_page():
    at = c.signed_in_app(USERNAME, PASSWORD)
    with c.quiet():
        at.switch_page(PAGE).run()
    return at


def window_control(at):
    return next(w for w in at.button_group if w.key == "trends-win")


def page_ok(at) -> bool:
    return not at.exception and any(t.value == "My trends" for t in at.title)


# --- main ---------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30, help="timed repetitions of each (default 30)")
    ap.add_argument("--others", type=int, default=20, help="other clients with the same volume")
    ap.add_argument("--cravings", type=int, default=2000, help="cravings per client")
    args = ap.parse_args()
    return c.in_fresh_env("companion-bench-trends-", 4, lambda _tmp: run(args))


def run(args) -> int:
    machine = c.machine()
    t0 = time.perf_counter()
    client_id, counts = seed(args.others, args.cravings)
    setup_s = time.perf_counter() - t0

    from companion.actors import Actor
    from companion.core.db import get_engine, session_scope
    from companion.models import User
    from companion.ui.trends import WINDOWS

    with session_scope() as session:
        actor = Actor.of(session.get(User, client_id))
    engine = get_engine()
    print("Trends benchmark — SQLite, streamlit AppTest (server-side script runs, no browser); "
          + machine)
    print(f"setup {setup_s:.1f} s: 1 client + {args.others} others, {DAYS} days each; "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))

    # (a)-(c): SQL, services, charts, per window.
    page_windows = {days: label for label, days in WINDOWS.items()}
    windows = sorted(set(page_windows) | {DAYS})
    results: dict[int, dict] = {}
    plans_for: list = []
    raw_conn = engine.raw_connection()
    try:
        for days in windows:
            statements = [s for s in capture(actor, client_id, days) if s[0] != "commit"]
            if days == 30:
                plans_for = statements
            rows = c.replay(raw_conn, statements)  # warm
            frames = service_bundle(actor, client_id, days)
            r = results[days] = {
                "statements": len(statements), "rows": rows,
                "raw": c.timed(lambda: c.replay(raw_conn, statements), args.runs),
                "service": c.timed(lambda: service_bundle(actor, client_id, days), args.runs)}
            if days in page_windows:  # the page has no 365-day window
                chart_times(frames, days)  # warm
                runs = [chart_times(frames, days) for _ in range(args.runs)]
                r["charts"] = [sum(b + d for b, d in run.values()) for run in runs]
                r["per_chart"] = {name: ([run[name][0] for run in runs],
                                         [run[name][1] for run in runs]) for name in CHARTS}
        per_statement = {}
        for name, sql, params in plans_for:
            per_statement[name] = c.timed(lambda: c.replay(raw_conn, [(name, sql, params)]),
                                          args.runs)
        service_times(actor, client_id, 30)  # warm
        runs = [service_times(actor, client_id, 30) for _ in range(args.runs)]
        per_service = {name: [run[name] for run in runs] for name in AGGREGATES}
        cur = raw_conn.cursor()
        plans = {}
        for name, sql, params in plans_for:
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans[name] = [row[-1] for row in cur.fetchall()]
        cur.close()
    finally:
        raw_conn.close()

    # (d): the page.
    at = open_trends_page()
    if not page_ok(at):
        return c.did_not_render("trends", at)
    statements: list[str] = []
    sql_per_rerun: dict[int, Counter] = {}
    failures: dict[int, list[str]] = {}
    one_rerun: list[str] = []
    c.DEPRECATIONS.clear()
    with c.each_statement(engine, lambda sql, *_: statements.append(sql)):
        for days in sorted(page_windows, key=lambda d: (d != 30, d)):  # default window first
            with c.quiet():
                if window_control(at).value != page_windows[days]:
                    window_control(at).set_value(page_windows[days])
                at.run()  # warm (and the window switch)
            if not page_ok(at) or window_control(at).value != page_windows[days]:
                print(f"trends page failed at {days} days: "
                      f"{[e.value for e in at.exception]}", file=sys.stderr)
                return 1
            samples, per = [], Counter()
            for _ in range(args.runs):
                statements.clear()
                t = time.perf_counter()
                with c.quiet():
                    at.run()
                elapsed = time.perf_counter() - t
                if not page_ok(at):  # e.g. app code edited mid-run: keep it out of the figures
                    failures.setdefault(days, []).append(
                        str(at.exception[0].message if at.exception else "no 'My trends'"))
                    continue
                samples.append(elapsed)
                per[len(statements)] += 1
                if days == 30 and not one_rerun:
                    one_rerun = list(statements)
            if samples:
                results[days]["page"] = samples
            sql_per_rerun[days] = per
        still_ok = page_ok(at)

    # --- report ---------------------------------------------------------------------------
    print(f"times in ms, median / p95 over {args.runs} runs each; 'service' = the six calls "
          "draw_trends makes, in one session (authorize + SQL + DataFrame); 'raw SQL' = the "
          "same statements replayed on a DBAPI cursor; 'charts' = the six Altair charts built "
          "and to_dict()'d (as st.altair_chart does); 'page' = AppTest rerun of router.py -> pages/client/trends.py")
    head = (f"{'window':>7} | {'stmts':>5} | {'rows':>5} | {'raw SQL':>17} | {'service':>17} | "
            f"{'charts':>17} | {'page rerun':>17} | {'page/service':>12} | {'page/raw':>8}")
    print(head)
    print("-" * len(head))
    for days in windows:
        r = results[days]
        charts_ms = c.ms(r["charts"]) if "charts" in r else f"{'—':>17}"
        line = (f"{days:>5} d | {r['statements']:>5} | {r['rows']:>5} | {c.ms(r['raw'])} | "
                f"{c.ms(r['service'])} | {charts_ms} | ")
        if "page" in r:
            page = statistics.median(r["page"])
            line += (f"{c.ms(r['page'])} | {page / statistics.median(r['service']):11.1f}x | "
                     f"{page / statistics.median(r['raw']):7.1f}x")
        else:
            line += "(all reruns failed)" if days in page_windows else "(not a page window)"
        print(line)
    print(f"page still rendered 'My trends' after the runs: {still_ok}")
    for days, errors in failures.items():
        print(f"WARNING {days} d: {len(errors)} of {args.runs} page reruns failed and are left "
              f"out; first: {errors[0]}")
    print()
    print("SQL statements per page rerun: " + "; ".join(
        f"{days} d: " + ", ".join(f"{n} (in {k} runs)" for n, k in sorted(per.items()))
        for days, per in sql_per_rerun.items()))
    kinds = Counter(" ".join(s.split()[:2]) + " … FROM " + _table(s) for s in one_rerun)
    print("  one 30-day rerun: " + ", ".join(f"{n} x {k}" for k, n in kinds.items()))
    if c.DEPRECATIONS:
        print("Streamlit deprecation warnings during the page reruns: "
              + "; ".join(f"{n} x {t}" for t, n in c.DEPRECATIONS.items()))
    print()
    print("30-day window, per aggregate: service call alone in its own session (median ms), "
          "its SQL replayed raw (median ms), SQLite's EXPLAIN QUERY PLAN (no ANALYZE, as in "
          "production)")
    n_auth = sum(name == "authorize (user)" for name, _sql, _params in plans_for)
    shown = set()
    for name, _sql, _params in plans_for:
        if name in shown:
            continue
        shown.add(name)
        if name == "authorize (user)":
            name_shown = f"authorize x{n_auth}"
        else:
            name_shown = name
        service = (f"{statistics.median(per_service[name]) * 1000:6.2f}"
                   if name in per_service else f"{'':>6}")
        print(f"  {name_shown:<17} service {service}  raw {statistics.median(per_statement[name]) * 1000:5.2f}"
              "  " + " | ".join(plans[name]))
    print()
    per_chart = results[30]["per_chart"]
    print("30-day window, per chart: build / to_dict() median ms (st.altair_chart calls "
          "to_dict(), which validates the spec)")
    print("  " + ", ".join(f"{name} {statistics.median(b) * 1000:.1f} / "
                           f"{statistics.median(d) * 1000:.1f}"
                           for name, (b, d) in per_chart.items()))
    build = statistics.median([sum(x) for x in zip(*(b for b, _ in per_chart.values()))])
    to_dict = statistics.median([sum(x) for x in zip(*(d for _, d in per_chart.values()))])
    print(f"  all six: build {build * 1000:.1f} ms + to_dict {to_dict * 1000:.1f} ms")
    return 0


def _table(sql: str) -> str:
    words = sql.replace("\n", " ").split()
    try:
        return words[[w.upper() for w in words].index("FROM") + 1]
    except ValueError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
