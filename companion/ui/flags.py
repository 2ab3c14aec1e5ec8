"""Drawing a flag: its tier by icon and word as well as colour (never colour alone), what
rule raised it and why, and when. One helper, so every page shows tiers the same way."""
from __future__ import annotations

import time

import streamlit as st

from companion import flags
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _, format_moment, ngettext
from companion.models import Flag
from companion.ui.text import clinic_markdown, markdown_text


def tier_badge_markdown(flag: Flag) -> str:
    """Markdown such as ':red[🚨 **Urgent**]' (the tier's icon, word and colour: defined in
    companion/flags.py, never typed by a user)."""
    tier = flags.tier_of(flag)
    return clinic_markdown(f":{tier.colour}[{tier.icon} **{tier.shown}**]")


def flag_markdown(flag: Flag, name: str | None = None) -> str:
    """Badge · (client) — rule, then why and when, in the reader's language. Stored text goes
    through `markdown_text`."""
    who = f" · **{markdown_text(name)}** —" if name else " ·"
    return (f"{tier_badge_markdown(flag)}{who} {markdown_text(flags.label_of(flag))}  \n"
            f"{markdown_text(flags.reason_of(flag))} · {markdown_text(format_moment(flag.raised_at))}")


# --- Acknowledging, with a minute to undo (caseload and record share it) -------------------

_UNDO = "_ack_undo"    # (flag ids, client name, when) of the latest acknowledgement
_TOAST = "_ack_toast"


def acknowledge_flags(actor, flag_ids: list[int], note: str, name: str,
                      error_key: str) -> bool:
    """Acknowledge with one note (a callback's work): a toast says so and `undo_panel`
    offers an undo for `flags.UNDO_SECONDS`; a refusal is kept under `error_key`."""
    try:
        with session_scope() as session:
            flags.acknowledge_many(session, actor, flag_ids, note)
    except CompanionError as exc:
        st.session_state[error_key] = str(exc)
        return False
    st.session_state[_UNDO] = (list(flag_ids), name, time.time())
    st.session_state[_TOAST] = ngettext(
        "Acknowledged {name}'s flag. Undo within a minute.",
        "Acknowledged {n} of {name}'s flags. Undo within a minute.",
        len(flag_ids)).format(n=len(flag_ids), name=name)
    return True


def _undo(actor) -> None:
    ids, name, _when = st.session_state.pop(_UNDO)
    try:
        with session_scope() as session:
            flags.undo_acknowledge(session, actor, ids)
    except CompanionError as exc:
        st.session_state["_undo_error"] = str(exc)
    else:
        st.session_state[_TOAST] = ngettext("Undone: {name}'s flag is open again.",
                                            "Undone: {name}'s flags are open again.",
                                            len(ids)).format(name=name)


def undo_panel(actor) -> None:
    """The toast of the latest acknowledgement, and its Undo button while it may be undone."""
    if message := st.session_state.pop(_TOAST, None):
        st.toast(markdown_text(message), icon="✅")
    pending = st.session_state.get(_UNDO)
    if pending and time.time() - pending[2] < flags.UNDO_SECONDS:
        with st.container(border=True):
            st.markdown("✅ " + ngettext("Acknowledged **{name}**'s flag.",
                                         "Acknowledged **{name}**'s flags.",
                                         len(pending[0])).format(name=markdown_text(pending[1])))
            st.button(_("Undo"), key="ack-undo", on_click=_undo, args=(actor,), icon="↩️")
    elif pending:
        st.session_state.pop(_UNDO)
    if message := st.session_state.pop("_undo_error", None):
        st.error(markdown_text(message))
