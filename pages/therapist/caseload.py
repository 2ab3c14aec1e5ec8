"""My caseload: open flags to acknowledge, then one card a client (most urgent first), then
what was acknowledged lately. Cards wrap, so nothing needs sideways scrolling on a phone."""
import streamlit as st

from companion import aftercare, caseload, flags
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.i18n import _, clinic_label, format_moment, ngettext
from companion.ui.client_pick import PARAM
from companion.ui.flags import (acknowledge_flags, flag_markdown, tier_badge_markdown,
                                undo_panel)
from companion.ui.gate import current_actor
from companion.ui.text import (clinic_markdown, label_text, markdown_text, number_text,
                                option_text)

actor = current_actor()
clinic = get_clinic()
st.title(_("My caseload"))


def open_record(client_id: int) -> None:
    st.session_state["_go_record"] = client_id


def acknowledge(flag_id: int, name: str) -> None:
    acknowledge_flags(actor, [flag_id], st.session_state.get(f"ack-{flag_id}", ""), name,
                      f"_ack_error_{flag_id}")


if (go := st.session_state.pop("_go_record", None)) is not None:
    st.switch_page("pages/therapist/client.py", query_params={PARAM: str(go)})

with session_scope() as session:
    waiting = aftercare.waiting_for(session, actor)
if waiting:
    st.info("🧭 " + ngettext("{n} aftercare plan waiting for your review.",
                            "{n} aftercare plans waiting for your review.",
                            len(waiting)).format(n=number_text(len(waiting))))
    st.page_link("pages/therapist/reviews.py", label=_("Review now"), icon="🧭")

undo_panel(actor)

# One session for the page's reads (each session's end seals the audit chain): the filters'
# values are read from their keys here, and their widgets drawn further down.
state = st.session_state
flagged_only, missed_only = state.get("caseload-flagged", False), state.get("caseload-missed",
                                                                           False)
with session_scope() as session:  # raises due "no check-in" flags; one read of the flags
    shown = caseload.view(session, actor, state.get("caseload-track"),
                          state.get("caseload-site"), flagged_only=flagged_only,
                          min_missed=2 if missed_only else 0,
                          measures_due=state.get("caseload-due", False))
frame, open_list, recent = shown.frame, shown.open_flags, shown.recent
st.header(_("Needs attention ({n})").format(n=number_text(len(open_list))))
if not open_list:
    st.caption(_("No open flags. 🌿"))
for flag, name in open_list:
    with st.container(border=True):
        st.markdown(flag_markdown(flag, name))
        st.text_input(_("What I did or will do"), key=f"ack-{flag.id}",
                      placeholder=_("e.g. Called, safety plan reviewed, seeing them tomorrow"))
        if message := st.session_state.pop(f"_ack_error_{flag.id}", None):
            st.error(markdown_text(message))
        b1, b2 = st.columns(2)
        b1.button(_("Acknowledge"), key=f"ack-btn-{flag.id}", on_click=acknowledge,
                  args=(flag.id, name), width="stretch")
        b2.button(_("Open record"), key=f"open-{flag.id}", on_click=open_record,
                  args=(flag.client_id,), width="stretch")

st.header(_("Everyone, most urgent first"))
cols = st.columns(2)
track = cols[0].selectbox(_("Track"), [None, *[t.key for t in clinic.tracks]],
                          key="caseload-track",
                          format_func=lambda k: _("All tracks") if k is None
                          else option_text(clinic_label(clinic.track_label(k))))
site = cols[1].selectbox(_("Site"), [None, *[loc.key for loc in clinic.locations]],
                         key="caseload-site", format_func=lambda k: _("All sites") if k is None
                         else option_text(clinic_label(clinic.location_label(k))))
cols = st.columns(3)
cols[0].toggle(_("Flagged only"), key="caseload-flagged")
cols[1].toggle(_("Missed 2+ check-ins"), key="caseload-missed")
cols[2].toggle(_("Measures due"), key="caseload-due")
with st.popover(_("How this order works"), icon="ℹ️"):
    st.markdown(clinic_markdown(_(caseload.NEED_EXPLAINED)))

if frame.empty:
    st.info(_("No clients match. An admin assigns clients on the People page.")
            if not (flagged_only or missed_only or track or site
                    or state.get("caseload-due"))
            else _("No clients match these filters."))
for card in caseload.cards(frame, open_list):
    with st.container(border=True, key=f"card-{card.client_id}"):
        if card.top_flag is not None:
            more = (" · " + ngettext("{n} more open", "{n} more open",
                                     card.open_flags - 1).format(
                                         n=number_text(card.open_flags - 1))
                    if card.open_flags > 1 else "")
            st.markdown(f"**{markdown_text(card.name)}** · {tier_badge_markdown(card.top_flag)}"
                        f" — {markdown_text(flags.label_of(card.top_flag))}: "
                        f"{markdown_text(flags.reason_of(card.top_flag))}{more}")
        else:
            st.markdown(f"**{markdown_text(card.name)}** · " + _("no open flags"))
        st.markdown(markdown_text("; ".join(card.facts) + "."))
        st.caption(_("Need score {score}").format(score=number_text(card.need, 'g')))
        b1, b2 = st.columns(2)
        b1.button(_("Record"), key=f"card-open-{card.client_id}", on_click=open_record,
                  args=(card.client_id,), width="stretch", icon="🗂️")
        b2.page_link("pages/therapist/brief.py",
                     label=_("Brief: {name}").format(name=label_text(card.name)),
                     icon="📄", query_params={PARAM: str(card.client_id)}, width="stretch")

st.header(_("Recently acknowledged"))
if not recent:
    st.caption(ngettext("Nothing acknowledged in the last {n} day.",
                        "Nothing acknowledged in the last {n} days.",
                        caseload.RECENT_DAYS).format(n=number_text(caseload.RECENT_DAYS)))
for flag, name, by in recent:
    st.markdown(f"✅ **{markdown_text(name)}** · {tier_badge_markdown(flag)} "
                f"{markdown_text(flags.label_of(flag))}  \n"
                + _("{when} by {who}: {note}").format(
                    when=markdown_text(format_moment(flag.acknowledged_at)),
                    who=markdown_text(by or _("a former colleague")),
                    note=markdown_text(flag.ack_note)))
