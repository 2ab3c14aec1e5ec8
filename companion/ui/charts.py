"""Charts built once per distinct data: building an Altair chart, and turning it into its
Vega-Lite spec (Altair validates it against the schema), cost far more than the SQL behind
it (see bench/trends.py and bench/rerun.py --profile), and the same aggregates come back on
every rerun. So the cache keeps the finished spec, and the page draws that."""
from __future__ import annotations

import streamlit as st

from companion import charts, i18n
from companion.ui.text import markdown_text


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def chart(name: str, language: str, *args) -> dict | None:
    """The Vega-Lite spec of `charts.<name>(*args)` (data inline) in `language`, cached on
    the (small, aggregated) arguments themselves and the language (a chart's titles, axes,
    labels and time locale differ by language); None when there is nothing to draw."""
    previous = i18n.current()
    i18n.use(language)
    try:
        built = getattr(charts, name)(*args)
    finally:
        i18n.use(previous)
    return None if built is None else built.to_dict()


def draw(name: str, *args, empty: str = "") -> None:
    spec = chart(name, i18n.current(), *args)
    if spec is None:
        if empty:
            st.caption(markdown_text(empty))
        return
    st.vega_lite_chart(spec, width="stretch")
