"""Drawing measure history (client and therapist share it)."""
from __future__ import annotations

import streamlit as st

from companion import instruments, measures
from companion.actors import Actor
from companion.core.db import session_scope
from companion.i18n import _
from companion.ui.charts import draw
from companion.ui.text import markdown_text


def measure_trends(actor: Actor, client_id: int, about: str | None = None,
                   days: int = 365) -> None:
    """Each questionnaire's scales over the last `days` (the brief: its period only);
    `about`: the client's name on staff screens."""
    for instrument in instruments.load_all().values():
        with session_scope() as session:
            frame = measures.history(session, actor, client_id, instrument.id, days)
        if frame.empty:
            continue
        st.markdown(f"**{markdown_text(instrument.shown_name)}**")
        for scale in instrument.scales:
            rows = frame[frame["scale"] == scale.id][["day", "value", "missing"]]
            bands = [(b.low, b.high, instrument.band_words(scale, b)[0]) for b in scale.bands]
            title = (instrument.scale_label(scale) if len(instrument.scales) > 1
                     else _("{instrument} total").format(instrument=instrument.title))
            draw("measure_trend", rows[["day", "value"]], bands, title, scale.higher_is_better)
            latest = rows["value"].iloc[-1] if not rows.empty else None
            value = None if latest is None or latest != latest else int(latest)
            missing = rows["missing"].iloc[-1] if not rows.empty else None
            missing = None if missing is None or missing != missing else int(missing)
            st.caption(markdown_text(measures.meaning(instrument, scale.id, value, missing,
                                                          about)))
