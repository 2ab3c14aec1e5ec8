"""Server-side rerun cost of the signed-in client home page vs a bare page with the same elements.

Runs both through streamlit.testing.v1.AppTest (script runs on the server, no browser), in one
process, interleaved, and prints mean/median/p95 per rerun, the ratio home/bare, and the SQL
statements one home rerun sends. A benchmark, not a test: it asserts nothing about timing.

    .venv/bin/python bench/rerun.py [--runs 50] [--warmup 3]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

USERNAME = "demo-client1"


# --- the rendered tree ---------------------------------------------------------------------

def _is_block(node) -> bool:
    from streamlit.testing.v1.element_tree import Block

    return isinstance(node, Block)


def _kids(node) -> list:
    return list(getattr(node, "children", {}).values())


def count_kinds(at) -> Counter:
    """Element and container kinds on the page (main + sidebar), recursively."""
    kinds: Counter = Counter()

    def walk(node):
        for child in _kids(node):
            if _is_block(child):
                kinds[f"[{child.type}]"] += 1
                walk(child)
            else:
                kinds[child.type] += 1

    for special in _kids(at._tree):
        if special.type in ("main", "sidebar"):
            walk(special)
    return kinds


# --- a bare page built from the home page's tree ----------------------------------------------

def bare_script(at) -> tuple[str, list[str]]:
    """Python source drawing the same kinds and number of elements, with no database and no
    login library. Returns (source, kinds it could not draw)."""
    lines = ["import pandas as pd",
             "import streamlit as st",
             'st.set_page_config(page_title="Bare", page_icon="🌿", layout="centered")',
             "WEEK = pd.DataFrame({'day': list(range(7)), 'v': [3, 4, 6, 5, 4, 3, 2]})",
             "SPEC = {'mark': {'type': 'line', 'point': True}, 'height': 60, 'encoding': {"
             "'x': {'field': 'day', 'type': 'ordinal', 'axis': None}, "
             "'y': {'field': 'v', 'type': 'quantitative', 'axis': None}}}"]
    skipped: list[str] = []
    n_vars = 0

    def emit(node, ind: str):
        nonlocal n_vars
        start = len(lines)
        for child in _kids(node):
            if _is_block(child):
                kids = _kids(child)
                has_flex = "flex_container" in child.proto.DESCRIPTOR.fields_by_name
                flex = (child.proto.flex_container
                        if has_flex and child.proto.HasField("flex_container") else None)
                if child.type == "expandable":  # the crisis panel, a caseload's undo…
                    label = getattr(child.proto, "label", "") or "more"
                    lines.append(f"{ind}with st.expander({label!r}):")
                    emit(child, ind + "    ")
                elif child.type == "popover":
                    label = child.proto.popover.label or "popover"
                    lines.append(f"{ind}with st.popover({label!r}, width='stretch'):")
                    emit(child, ind + "    ")
                elif kids and all(k.type == "column" for k in kids):
                    n_vars += 1
                    var = f"cols{n_vars}"
                    lines.append(f"{ind}{var} = st.columns({len(kids)})")
                    for i, col in enumerate(kids):
                        lines.append(f"{ind}with {var}[{i}]:")
                        emit(col, ind + "    ")
                else:
                    border = bool(flex is not None and flex.border)
                    lines.append(f"{ind}with st.container(border={border}):")
                    emit(child, ind + "    ")
                continue
            kind = child.type
            if kind in ("markdown", "caption", "title", "header", "subheader", "info",
                        "success", "warning", "error"):
                lines.append(f"{ind}st.{kind}({child.value!r})")
            elif kind == "link_button":
                lines.append(f"{ind}st.link_button({child.proto.label!r}, {child.proto.url!r}, "
                             "width='stretch')")
            elif kind == "page_link":  # an external link: the bare app has no other pages
                n_vars += 1
                lines.append(f"{ind}st.page_link('https://example.com/{n_vars}', "
                             f"label={child.proto.label!r}, icon={child.proto.icon or None!r})")
            elif kind == "button":
                key = child.key or f"b{len(lines)}"
                lines.append(f"{ind}st.button({child.label!r}, key={key!r}, width='stretch')")
            elif kind in ("text_input", "selectbox", "toggle"):  # the caseload's widgets
                n_vars += 1
                label, key = child.label, child.key or f"w{n_vars}"
                lines.append(f"{ind}st.text_input({label!r}, key={key!r})" if kind == "text_input"
                             else f"{ind}st.toggle({label!r}, key={key!r})" if kind == "toggle"
                             else f"{ind}st.selectbox({label!r}, ['All', 'One'], key={key!r})")
            elif "vega_lite_chart" in kind:
                lines.append(f"{ind}st.vega_lite_chart(WEEK, SPEC, width='stretch')")
            else:
                skipped.append(kind)
        if len(lines) == start:
            lines.append(f"{ind}pass")

    for special in _kids(at._tree):
        if special.type == "main":
            emit(special, "")
        elif special.type == "sidebar" and _kids(special):
            lines.append("with st.sidebar:")
            emit(special, "    ")
    return "\n".join(lines) + "\n", skipped


def profile(rerun, runs: int, top: int = 30, dump: str = "") -> None:
    """cProfile over `runs` reruns: the app's own functions (and the libraries they call
    most) by cumulative time, so a ratio above target says where to look."""
    import cProfile
    import pstats

    from streamlit.runtime.scriptrunner import script_runner

    prof = cProfile.Profile()
    original = script_runner.ScriptRunner._run_script

    def profiled(self, *a, **kw):  # the script runs on its own thread: profile it there
        prof.enable()
        try:
            return original(self, *a, **kw)
        finally:
            prof.disable()

    script_runner.ScriptRunner._run_script = profiled
    try:
        for _ in range(runs):
            rerun()
    finally:
        script_runner.ScriptRunner._run_script = original
    stats = pstats.Stats(prof)
    if dump:  # for `python -m pstats FILE` (callers, callees, Streamlit's own functions)
        stats.dump_stats(dump)
    print(f"\nprofile of {runs} home reruns, by cumulative time (ms per rerun):")
    rows = []
    for (path, line, name), (_, calls, _, cumulative, _) in stats.stats.items():
        if "/companion/" in path or "/pages/" in path or path.endswith("router.py") \
                or "streamlit_authenticator" in path or "extra_streamlit" in path:
            rows.append((cumulative, calls, f"{path.split('/work/')[-1]}:{line} {name}"))
    for cumulative, calls, where in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative / runs * 1000:8.2f} ms  {calls / runs:6.1f} calls  {where}")


# --- main ------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=50, help="timed reruns of each page (default 50)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed reruns of each first")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="then profile N more home reruns and print where their time goes")
    ap.add_argument("--profile-dump", default="", metavar="FILE",
                    help="with --profile: also write the whole profile to FILE (pstats)")
    args = ap.parse_args()
    return c.in_fresh_env("companion-bench-rerun-", 4, lambda tmp: run(args, tmp))


def run(args, tmp: Path) -> int:
    machine = c.machine()
    password = c.seed_demo()
    from streamlit.testing.v1 import AppTest

    from companion.core.db import get_engine

    # Sign in as the browser would: form submit, then the rerun the cookie component triggers.
    home = c.signed_in_app(USERNAME, password, timeout=30)
    title = c.home_title(home)
    if home.exception or title is None:
        print(f"home page did not render for {USERNAME}: exception={list(home.exception)} "
              f"titles={[t.value for t in home.title]}", file=sys.stderr)
        print(home._tree, file=sys.stderr)
        return 1

    home_kinds = count_kinds(home)
    source, skipped = bare_script(home)
    bare_dir = Path(tempfile.mkdtemp(prefix="bare-", dir=tmp))  # no pages/ folder beside it
    bare_path = bare_dir / "bare_page.py"
    bare_path.write_text(source)
    bare = AppTest.from_file(str(bare_path), default_timeout=30)
    bare.run()
    if bare.exception:
        print(f"bare page failed: {list(bare.exception)}\n{source}", file=sys.stderr)
        return 1
    bare_kinds = count_kinds(bare)

    # SQL statements per home rerun.
    statements: list[str] = []

    home_cpu, bare_cpu = [], []  # this process's CPU time (all threads) per rerun

    def rerun_home() -> float:
        t0, cpu0 = time.perf_counter(), time.process_time()
        with c.quiet():
            home.run()
        home_cpu.append(time.process_time() - cpu0)
        return time.perf_counter() - t0

    def rerun_bare() -> float:
        t0, cpu0 = time.perf_counter(), time.process_time()
        bare.run()
        bare_cpu.append(time.process_time() - cpu0)
        return time.perf_counter() - t0

    home_s, bare_s, per_run_sql = [], [], []
    one_run_sql: list[str] = []
    with c.each_statement(get_engine(), lambda sql, *_: statements.append(sql)):
        for _ in range(args.warmup):
            rerun_home()
            rerun_bare()
        c.DEPRECATIONS.clear()
        home_cpu.clear()
        bare_cpu.clear()
        for i in range(args.runs):  # interleaved, so drift hits both alike
            statements.clear()
            home_s.append(rerun_home())
            per_run_sql.append(len(statements))
            if i == 0:
                one_run_sql = list(statements)
            bare_s.append(rerun_bare())
    deprecations = dict(c.DEPRECATIONS)
    home_cpu, bare_cpu = list(home_cpu), list(bare_cpu)  # the timed runs' only
    if args.profile:
        profile(rerun_home, args.profile, dump=args.profile_dump)

    still_home = c.home_title(home) is not None and not home.exception
    total = sum(home_kinds.values())
    print("Rerun benchmark — streamlit AppTest, server-side script runs only (no browser); "
          + machine)
    print(f"home page: {title!r} as {USERNAME} via router.py (crisis popover, gate, navigation, "
          f"pages/client/home.py); still rendered after the runs: {still_home}")
    print(f"elements on the home page (main + sidebar, containers in []): {total}: "
          + ", ".join(f"{k} {v}" for k, v in sorted(home_kinds.items())))
    diff = (home_kinds - bare_kinds) + (bare_kinds - home_kinds)
    print("bare page matches them kind for kind"
          + (f" except {dict(diff)}" if diff else "")
          + (f" (not drawn: {', '.join(sorted(set(skipped)))})" if skipped else "")
          + "; no database, no login library, no st.navigation")
    print()
    print(c.fmt("home (signed-in client)", home_s))
    print(c.fmt("bare (same elements)", bare_s))
    hs, bs = c.stats_ms(home_s), c.stats_ms(bare_s)
    print(f"ratio home/bare: mean {hs['mean'] / bs['mean']:.2f}x  "
          f"median {hs['median'] / bs['median']:.2f}x  p95 {hs['p95'] / bs['p95']:.2f}x  "
          f"min {hs['min'] / bs['min']:.2f}x (least disturbed by other load)")
    hc, bc = c.stats_ms(home_cpu), c.stats_ms(bare_cpu)
    print(f"CPU time per rerun (this process, steadier when other work shares the machine): "
          f"home median {hc['median']:.2f} ms, bare {bc['median']:.2f} ms, ratio "
          f"{hc['median'] / bc['median']:.2f}x")
    print()
    most = max(per_run_sql)
    ratio = hs["median"] / bs["median"]
    print(f"side by side: home {hs['median']:.2f} ms, {most} SQL statements | bare "
          f"{bs['median']:.2f} ms, 0 statements (medians)")
    print(f"VERDICT home: {most} statements per rerun {'<=' if most <= 10 else '>'} 10: "
          f"{'met' if most <= 10 else 'NOT met'}; home/bare {ratio:.2f}x "
          f"{'<=' if ratio <= 2 else '>'} 2x: {'met' if ratio <= 2 else 'NOT met'} (median; "
          f"CPU time {hc['median'] / bc['median']:.2f}x)")
    sql = Counter(per_run_sql)
    print("SQL statements per home rerun: "
          + ", ".join(f"{n} (in {k} of {len(per_run_sql)} runs)" for n, k in sorted(sql.items())))
    kinds = Counter(" ".join(s.split()[:4])[:60] for s in one_run_sql)
    for text, n in kinds.items():
        print(f"  {n} x {text} …")
    if deprecations:
        print(f"Streamlit deprecation warnings logged during the {args.runs} home+bare reruns "
              "(the bare page uses width=, so these are the app's):")
        for text, n in deprecations.items():
            print(f"  {n} x {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
