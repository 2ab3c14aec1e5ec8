"""Charts built once per distinct data: building an Altair chart costs far more than the SQL
behind it (see bench/trends.py), and the same aggregates come back on every rerun."""
from __future__ import annotations

import streamlit as st

from companion import charts
from companion.ui.text import markdown_text


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def chart(name: str, *args):
    """`charts.<name>(*args)`, cached on the (small, aggregated) arguments themselves."""
    return getattr(charts, name)(*args)


def draw(name: str, *args, empty: str = "") -> None:
    built = chart(name, *args)
    if built is None:
        if empty:
            st.caption(markdown_text(empty))
        return
    st.altair_chart(built, width="stretch")
