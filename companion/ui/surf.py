"""The urge-surfing timer: a calm countdown with a breathing cue, drawn by the server once a
second while it runs (no custom scripts in the page)."""
from __future__ import annotations

import time

import streamlit as st

from companion import cravings
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.ui.text import markdown_text, number_text

WAVE_SECONDS = 10 * 60
BREATH = ((4, "Breathe in…"), (4, "Hold gently…"), (6, "Breathe out slowly…"))
CYCLE = sum(seconds for seconds, _ in BREATH)


def breathing_cue(elapsed: float) -> str:
    moment = elapsed % CYCLE
    for seconds, words in BREATH:
        if moment < seconds:
            return f"{words} {int(seconds - moment)}"
        moment -= seconds
    return BREATH[0][1]


def _start() -> None:
    st.session_state["surf_started"] = time.time()


def _passed(actor: Actor, craving_id: int) -> None:
    elapsed = int(time.time() - st.session_state.pop("surf_started", time.time()))
    try:
        with session_scope() as session:
            cravings.record_surf(session, actor, craving_id, elapsed)
    except CompanionError as exc:
        st.session_state["_surf_error"] = str(exc)
        return
    st.session_state["_surf_done"] = elapsed


def _stop() -> None:
    st.session_state.pop("surf_started", None)


def surf_timer(actor: Actor, craving_id: int) -> None:
    if done := st.session_state.pop("_surf_done", None):
        minutes, seconds = divmod(done, 60)
        st.success(f"You rode that wave for {number_text(minutes)} min {number_text(seconds)} s. "
                   "Well done. 🌊")
        return
    if error := st.session_state.pop("_surf_error", None):
        st.error(markdown_text(error))
    if "surf_started" not in st.session_state:
        st.button("🌊 Ride it out: start the urge-surfing timer", on_click=_start,
                  width="stretch")
        return
    _running(actor, craving_id)


@st.fragment(run_every=1)
def _running(actor: Actor, craving_id: int) -> None:
    if "surf_started" not in st.session_state:
        return
    elapsed = time.time() - st.session_state["surf_started"]
    left = max(0, WAVE_SECONDS - int(elapsed))
    with st.container(border=True):
        st.markdown(f"### {markdown_text(breathing_cue(elapsed))}")
        st.progress(min(1.0, elapsed / WAVE_SECONDS),
                    text=f"{number_text(left // 60)}:{number_text(left % 60, '02d')} — urges "
                         "rise, peak and pass like a wave.")
        st.caption("Notice where you feel it in your body. You don't have to act on it.")
        cols = st.columns(2)
        cols[0].button("The wave passed", type="primary", on_click=_passed,
                       args=(actor, craving_id), width="stretch")
        cols[1].button("Stop timer", on_click=_stop, width="stretch")
