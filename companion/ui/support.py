"""The supportive response drawn right after a save that fired a risk rule."""
import streamlit as st

from companion.support import Support
from companion.ui.crisis import crisis_resources
from companion.ui.text import markdown_text


def show_support(support: Support) -> None:
    with st.container(border=True):
        st.markdown(f"### 💚 {markdown_text(support.headline)}")
        st.write(markdown_text(support.message))
        for action in support.actions:  # the client's own coping labels among them
            st.markdown(f"- **{markdown_text(action)}**")
        st.page_link("pages/client/cravings.py", label="Ride out an urge with the timer",
                     icon="🌊")
        st.page_link("pages/client/safety_plan.py", label="Open my safety plan", icon="🛟")
        if support.offer_look_back:
            st.page_link("pages/client/lookback.py",
                         label="When you're ready: look back at what happened (optional)",
                         icon="🔍")
        with st.expander("People you can reach right now", expanded=True):
            crisis_resources()
