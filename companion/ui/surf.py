"""The urge-surfing timer: a calm countdown with a breathing cue, drawn by the server once a
second while it runs (no custom scripts in the page).

The countdown is a fragment, so its own buttons rerun only the fragment: an end button's
callback stores what happened, and the fragment then reruns the whole page
(`st.rerun(scope="app")`), so the closing words and the "Recent" list show the stored outcome.
"""
from __future__ import annotations

import time

import streamlit as st

from companion import cravings
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import N_, _, gettext
from companion.ui.text import label_text, markdown_text, number_text

now = time.time  # the clock (tests replace it)

MINUTES = (5, 10, 15, 20)  # the lengths a client may choose
DEFAULT_MINUTES = 10
BREATH = ((4, N_("Breathe in…")), (4, N_("Hold gently…")), (6, N_("Breathe out slowly…")))
CYCLE = sum(seconds for seconds, _words in BREATH)

STARTED, LENGTH = "surf_started", "surf_minutes"  # kept while the timer runs
CHOICE = "surf-length"  # the length picker (a widget: gone while the timer runs)
DONE, STOPPED, ERROR = "_surf_done", "_surf_stopped", "_surf_error"  # shown once


def elapsed_seconds(started: float) -> int:
    """Whole seconds since `started`, to the nearest one: the fragment runs about once a
    second, a little early or late, and rounding keeps each run on its own second (truncating
    made a run a moment early repeat a number and the next skip one)."""
    return max(0, round(now() - started))


def breathing_cue(elapsed: float) -> str:
    """The cue for this whole second: each phase counts down from its length to 1."""
    moment = int(elapsed) % CYCLE
    for seconds, words in BREATH:
        if moment < seconds:
            return _("{cue} {count}").format(cue=gettext(words), count=seconds - moment)
        moment -= seconds
    raise AssertionError("unreachable: moment < CYCLE")


def _minutes() -> int:
    chosen = st.session_state.get(CHOICE)
    return chosen if chosen in MINUTES else DEFAULT_MINUTES


def _start() -> None:
    st.session_state[LENGTH] = _minutes()
    st.session_state[STARTED] = now()


def _passed(actor: Actor, craving_id: int) -> None:
    started = st.session_state.pop(STARTED, None)
    elapsed = elapsed_seconds(started) if started is not None else 0
    try:
        with session_scope() as session:
            cravings.record_surf(session, actor, craving_id, elapsed)
    except CompanionError as exc:
        st.session_state[ERROR] = str(exc)
        return
    st.session_state[DONE] = elapsed


def _stop() -> None:
    if st.session_state.pop(STARTED, None) is not None:
        st.session_state[STOPPED] = True


def surf_timer(actor: Actor, craving_id: int) -> None:
    ss = st.session_state
    if (done := ss.pop(DONE, None)) is not None:
        minutes, seconds = divmod(done, 60)
        took = (_("{minutes} min {seconds} s").format(minutes=number_text(minutes),
                                                      seconds=number_text(seconds)) if minutes
                else _("{seconds} s").format(seconds=number_text(seconds)))
        st.success(_("You rode that wave for {time}, and it passed. Well done: you noticed the "
                     "urge and let it rise and fall without acting on it. 🌊").format(time=took))
    if ss.pop(STOPPED, False):
        st.info(_("Timer stopped. That's okay: you can start it again whenever you like."))
    if error := ss.pop(ERROR, None):
        st.error(markdown_text(error))
    if STARTED in ss:
        _running(actor, craving_id)
        return
    if done is not None:
        return  # the closing words alone, this once
    if CHOICE not in ss:
        ss[CHOICE] = ss.get(LENGTH, DEFAULT_MINUTES)  # the last length chosen, or 10
    st.segmented_control(_("How long?"), MINUTES, key=CHOICE, required=True, width="stretch",
                         format_func=lambda m: label_text(
                             _("{minutes} min").format(minutes=number_text(m))))
    st.button(_("🌊 Ride it out: start the urge-surfing timer"), on_click=_start,
              width="stretch")


@st.fragment(run_every=1)
def _running(actor: Actor, craving_id: int) -> None:
    if STARTED not in st.session_state:
        st.rerun(scope="app")  # an end button was tapped: the whole page shows what it stored
    total = st.session_state.get(LENGTH, DEFAULT_MINUTES) * 60
    elapsed = elapsed_seconds(st.session_state[STARTED])
    left = max(0, total - elapsed)
    with st.container(border=True):
        st.markdown(f"## {markdown_text(breathing_cue(elapsed))}")
        st.progress(min(1.0, elapsed / total),
                    text=_("{left} — urges rise, peak and pass like a wave.").format(
                        left=f"{number_text(left // 60)}:{number_text(left % 60, '02d')}"))
        if left:
            st.caption(_("Notice where you feel it in your body. You don't have to act on it."))
        else:
            st.caption(_("Time's up. If the urge has eased, tap “The wave passed”; if it is "
                         "still there, keep breathing as long as you need."))
        cols = st.columns(2)
        cols[0].button(_("The wave passed"), type="primary", on_click=_passed,
                       args=(actor, craving_id), width="stretch")
        cols[1].button(_("Stop timer"), on_click=_stop, width="stretch")
