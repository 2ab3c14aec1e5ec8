"""The therapist's chosen client, carried across Record, Brief and Skills in the URL
(`?client=<id>`) and in the session, so a sidebar click keeps it too.

The id in the URL is only a choice among `clients` (the caller's own caseload, from
`caseload.client_choices`): an id that is not on it is ignored, never looked up.
"""
from __future__ import annotations

import streamlit as st

from companion.i18n import N_, _, gettext
from companion.ui.text import label_text, option_text

PARAM = "client"
CARRIED = "_chosen_client"
PAGES = {"record": ("pages/therapist/client.py", N_("Record: {name}"), "🗂️"),
         "brief": ("pages/therapist/brief.py", N_("Brief: {name}"), "📄"),
         "skills": ("pages/therapist/skills.py", N_("Skills: {name}"), "🧩")}


def _from_url(clients: dict[int, str]) -> int | None:
    raw = st.query_params.get(PARAM)
    try:
        chosen = int(raw) if raw is not None else None
    except ValueError:
        return None
    return chosen if chosen in clients else None


def pick_client(clients: dict[int, str], key: str) -> int | None:
    """The client selectbox, seeded from the URL (or the client chosen on another page),
    writing the choice back to the URL."""
    wanted = _from_url(clients)
    if wanted is None and st.session_state.get(CARRIED) in clients:
        wanted = st.session_state[CARRIED]
    if wanted is not None and st.session_state.get(key) != wanted \
            and not st.session_state.pop(f"_{key}_changed", False):
        st.session_state[key] = wanted

    def changed() -> None:
        st.session_state[f"_{key}_changed"] = True

    chosen = st.selectbox(_("Client"), list(clients),
                          format_func=lambda i: option_text(clients[i]),
                          index=None, placeholder=_("Choose a client"), key=key,
                          on_change=changed)
    if chosen is not None:
        st.session_state[CARRIED] = chosen
        if st.query_params.get(PARAM) != str(chosen):
            st.query_params[PARAM] = str(chosen)
    return chosen


def client_links(client_id: int, name: str, here: str) -> None:
    """Links to the same client's other pages (record, brief, skills), in one row."""
    others = [(k, v) for k, v in PAGES.items() if k != here]
    for column, (_, (path, word, icon)) in zip(st.columns(len(others)), others):
        column.page_link(path, label=label_text(gettext(word).format(name=name)), icon=icon,
                         query_params={PARAM: str(client_id)}, width="stretch")
