"""My caseload: who needs attention first, open flags to acknowledge, then everyone."""
import streamlit as st

from companion import aftercare, caseload, flags
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.ui.flags import flag_markdown
from companion.ui.gate import current_actor
from companion.ui.text import markdown_text, number_text, option_text, table_text

actor = current_actor()
clinic = get_clinic()
st.title("My caseload")


def open_record(client_id: int) -> None:
    st.session_state["record-client"] = client_id
    st.session_state["_go_record"] = True


def acknowledge(flag_id: int) -> None:
    note = st.session_state.get(f"ack-{flag_id}", "")
    try:
        with session_scope() as session:
            flags.acknowledge(session, actor, flag_id, note)
    except CompanionError as exc:
        st.session_state[f"_ack_error_{flag_id}"] = str(exc)


if st.session_state.pop("_go_record", False):
    st.switch_page("pages/therapist/client.py")

cols = st.columns(2)
track = cols[0].selectbox("Track", [None, *[t.key for t in clinic.tracks]],
                          format_func=lambda k: "All tracks" if k is None
                          else option_text(clinic.track_label(k)))
site = cols[1].selectbox("Site", [None, *[loc.key for loc in clinic.locations]],
                         format_func=lambda k: "All sites" if k is None
                         else option_text(clinic.location_label(k)))
with session_scope() as session:
    frame = caseload.for_therapist(session, actor, track, site)
    open_list = caseload.open_flags(session, actor)

with session_scope() as session:
    waiting = aftercare.waiting_for(session, actor)
if waiting:
    st.info(f"🧭 {number_text(len(waiting))} aftercare plan{'s' if len(waiting) > 1 else ''} "
            "waiting for your review.")
    st.page_link("pages/therapist/reviews.py", label="Review now", icon="🧭")

st.subheader(f"Needs attention ({number_text(len(open_list))})")
if not open_list:
    st.caption("No open flags. 🌿")
for flag, name in open_list:
    with st.container(border=True):
        st.markdown(flag_markdown(flag, name))
        st.text_input("What I did or will do", key=f"ack-{flag.id}", max_chars=500,
                      placeholder="e.g. Called, safety plan reviewed, seeing her tomorrow")
        if message := st.session_state.pop(f"_ack_error_{flag.id}", None):
            st.error(markdown_text(message))
        b1, b2 = st.columns(2)
        b1.button("Acknowledge", key=f"ack-btn-{flag.id}", on_click=acknowledge,
                  args=(flag.id,), width="stretch")
        b2.button("Open record", key=f"open-{flag.id}", on_click=open_record,
                  args=(flag.client_id,), width="stretch")

st.subheader("Everyone, by flag tier then need")
if frame.empty:
    st.info("No clients match. An admin assigns clients on the People page.")
else:
    st.dataframe(table_text(frame.drop(columns=["client_id"])), hide_index=True,
                 width="stretch",
                 column_config={"Flag tier": st.column_config.TextColumn(
                     help="The most urgent open flag: 🚨 Urgent, ⏰ Same day, 📋 Routine; "
                          "within a tier the longest-waiting first"),
                                "Need": st.column_config.NumberColumn(
                     help="Urgent flags, then open flags, then use, missed check-ins, high "
                          "craving and falling mood (see the caseload docs)")})
    client_names = dict(zip(frame["client_id"], frame["Client"]))
    pick = st.selectbox("Open a client's record", frame["client_id"].tolist(), index=None,
                        format_func=lambda i: option_text(client_names[i]),
                        placeholder="Choose a client")
    if pick is not None:
        open_record(int(pick))
        st.switch_page("pages/therapist/client.py")
