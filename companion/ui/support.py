"""The supportive response drawn right after a save that fired a risk rule: on the page, and
in a dialog over it, in view wherever the phone was scrolled (as the PHQ-9 item-9 response)."""
from __future__ import annotations

import streamlit as st

from companion import safety
from companion.i18n import N_, _, clinic_label
from companion.models import SafetyPlan
from companion.support import Support
from companion.ui.crisis import crisis_resources
from companion.ui.safety_plan import call_buttons, show_plan
from companion.ui.text import markdown_text

DIALOG_TITLE = N_("💚 Thank you for checking in")


def show_support(support: Support, plan: SafetyPlan | None = None, *,
                 with_plan: bool = False) -> None:
    """The response: the kind message, the client's own coping skills, the urge timer, the
    look-back (after a use), the safety plan, and people to reach right now."""
    with st.container(border=True):
        st.markdown(f"## 💚 {markdown_text(support.headline)}")
        st.write(markdown_text(support.message))
        for action in support.actions:  # the client's own coping labels among them
            st.markdown(f"- **{markdown_text(clinic_label(action))}**")
        st.page_link("pages/client/cravings.py", label=_("Ride out an urge with the timer"),
                     icon="🌊")
        if support.offer_look_back:
            st.page_link("pages/client/lookback.py",
                         label=_("When you're ready: look back at what happened (optional)"),
                         icon="🔍")
        if with_plan:
            with st.expander(_("🛟 My safety plan")):
                show_plan(plan, key="support-plan")
            if safety.contacts(plan):
                st.markdown(_("**Your people, from your safety plan:**"))
                call_buttons(safety.contacts(plan))
        else:
            st.page_link("pages/client/safety_plan.py", label=_("Open my safety plan"),
                         icon="🛟")
        with st.expander(_("People you can reach right now"), expanded=True):
            crisis_resources()


def support_dialog(support: Support, plan: SafetyPlan | None) -> None:
    """Open the response over the page: a save leaves the phone scrolled at its button, far
    below a message drawn at the top."""
    st.dialog(_("💚 Thank you for checking in"), width="large")(
        lambda: show_support(support, plan, with_plan=True))()
