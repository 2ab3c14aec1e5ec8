"""Before anything else, a new client reads how their records are protected (42 CFR 2.22)."""
import streamlit as st

from companion import notice
from companion.core.db import session_scope
from companion.i18n import _
from companion.ui.gate import current_actor
from companion.ui.text import clinic_markdown

actor = current_actor()
st.title(_("Your privacy"))
st.markdown(clinic_markdown(notice.text()))


def agree() -> None:
    with session_scope() as session:
        notice.acknowledge(session, actor)


st.button(_("I've read this"), type="primary", width="stretch", on_click=agree)
