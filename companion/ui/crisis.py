"""The "Need help now?" control: drawn first on every page, with no database needed.

A panel pinned at the foot of the screen (companion/ui/crisis.css), in view at every scroll
position. It is an expander, not a popover: its numbers follow its heading on the page, so
from the keyboard the next Tab after opening it lands on the first call link.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from companion import i18n
from companion.clinic import fallback_crisis, get_clinic
from companion.i18n import _
from companion.ui.text import label_text, markdown_text

LABEL = i18n.N_("🆘 Need help now?")
# The container the stylesheet pins (class st-key-…): the signed-in control replaces the
# first one in the same run, and a key may be drawn once a run.
KEYS = ("crisis-help", "crisis-help-own")
# The app's own static stylesheet for this control: a file of the code, never user text.
STYLESHEET = Path(__file__).with_name("crisis.css")


def crisis_control(own_contacts: list | None = None, plan_link: bool = False,
                   replacing: bool = False) -> None:
    """The pinned panel on every page: the client's own safety-plan contacts first, then the
    crisis lines, one call link a row (labels wrap, never cut, at 200% text). `replacing`:
    drawn again in the same run in another language (the account's, once the gate knows
    whose), under the second key."""
    st.html(STYLESHEET)  # style only: drawn outside the page's flow
    with st.container(key=KEYS[1] if plan_link or replacing else KEYS[0]):
        with st.expander(_("🆘 Need help now?")):
            if own_contacts:
                st.markdown(_("**Your people, from your safety plan:**"))
                for person in own_contacts:
                    st.link_button(f"📞 {label_text(person.name)} · {label_text(person.phone)}",
                                   person.tel, width="stretch", wrap=True)
            crisis_resources()
            if plan_link:
                st.page_link("pages/client/safety_plan.py", label=_("Open my safety plan"),
                             icon="🛟")


def crisis_resources() -> None:
    language = i18n.current()
    try:
        clinic = get_clinic()
        resources = clinic.crisis_for(language)  # Spanish lines when the app speaks Spanish
    except Exception:  # a broken clinic file must never take the crisis numbers away
        clinic, resources = None, fallback_crisis(language)
    st.markdown(_("**You are not alone. Reach someone now:**"))
    for res in resources:
        st.markdown(f"**{markdown_text(res.name)}** — {markdown_text(res.detail)}")
        if res.tel_link:  # one link a row: two columns cut the labels at 200% text
            st.link_button(_("📞 Call {number}").format(number=label_text(res.call)),
                           res.tel_link, width="stretch", wrap=True)
        if res.sms_link:
            label = (_("💬 Text {word} to {number}").format(word=label_text(res.text_body),
                                                          number=label_text(res.text))
                     if res.text_body else
                     _("💬 Text {number}").format(number=label_text(res.text)))
            st.link_button(label, res.sms_link, width="stretch", wrap=True)
    if clinic is not None and clinic.phone:
        st.markdown(_("**{clinic}** — during program hours, call the clinic.").format(
            clinic=markdown_text(clinic.name)))
        st.link_button(_("📞 Call the clinic {number}").format(number=label_text(clinic.phone)),
                       f"tel:{clinic.phone}", width="stretch", wrap=True)


def own_crisis_contacts(actor) -> list:
    """The client's safety-plan contacts, or none if they can't be read right now."""
    from companion import safety
    from companion.core.db import session_scope

    try:
        with session_scope() as session:
            return safety.contacts(safety.current(session, actor, actor.id))
    except Exception:  # crisis help must render even if this read fails
        return []
