"""Questionnaires (PHQ-9, GAD-7, BAM): what's due, answering on a phone, and my scores."""
import streamlit as st

from companion import instruments, measures, safety
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.ui.crisis import crisis_resources
from companion.ui.gate import current_actor
from companion.ui.measures import measure_trends
from companion.ui.safety_plan import call_buttons, show_plan
from companion.ui.text import label_text, markdown_text, option_text

actor = current_actor()
st.title("Questionnaires")
st.caption("Short, standard questionnaires that you and your therapist use to see change "
           "over time. You can skip any question.")

def risk_response(key: str) -> None:
    st.markdown("### 💚 Thank you for telling us.")
    st.write("You said you've had thoughts that you would be better off dead or of hurting "
             "yourself. That sounds really painful, and you don't have to carry it alone. Your "
             "therapist has been told and will reach out to you today. If you might act on "
             "these thoughts, call 988 or 911 now.")
    with session_scope() as session:
        plan = safety.current(session, actor, actor.id)
    st.markdown("**Reach someone now**")  # calls first, before the rest of the plan
    call_buttons(safety.contacts(plan) + safety.standing_contacts(), f"{key}-now")
    st.link_button("💬 Text 988", "sms:988", width="stretch")
    st.markdown("**Your safety plan**")
    show_plan(plan, key=key)
    crisis_resources()


@st.dialog("You don't have to carry this alone", width="large")
def risk_dialog() -> None:
    """Opens over the page wherever the phone is scrolled, so the help is in view at once."""
    risk_response("risk-dialog")


result = st.session_state.pop("_measure_result", None)
if result is not None:
    instrument = instruments.get(result["instrument"])
    if result["risk"]:
        risk_dialog()
        with st.container(border=True):  # and it stays on the page after the dialog closes
            risk_response("risk")
    else:
        st.toast("Questionnaire saved.", icon="✅")  # seen where you are
        st.success(f"Saved your {markdown_text(instrument.title)}. Thank you.")
    for scale in instrument.scales:
        st.caption(markdown_text(measures.meaning(instrument, scale.id,
                                                  result["scores"].get(scale.id))))

with session_scope() as session:
    due = measures.due(session, actor)
choices = {f"{d.instrument.id}:{d.form}": f"Due: {d.label}" for d in due}
for instrument in instruments.load_all().values():
    form = "30" if instrument.forms else ""
    choices.setdefault(f"{instrument.id}:{form}", instrument.name)
picked = st.selectbox("Questionnaire", list(choices), format_func=lambda c: option_text(choices[c]),
                      index=None,
                      placeholder="Choose one" if not due else f"{len(due)} due — choose one")
if picked:
    instrument_id, form = picked.split(":")
    instrument = instruments.get(instrument_id)
    items = instrument.items(form)
    prefix = f"m-{picked}-{st.session_state.get('_measure_round', 0)}-"

    def submit() -> None:
        answers = {}
        for item in items:
            label = st.session_state.get(f"{prefix}{item.id}")
            answers[item.id] = next((o.score for o in item.options if o.label == label), None)
        try:
            with session_scope() as session:
                saved = measures.submit(session, actor, instrument_id, answers, form)
        except CompanionError as exc:
            st.session_state["_measure_error"] = str(exc)
            return
        st.session_state["_measure_result"] = {"instrument": instrument_id, "risk": saved.risk,
                                               "scores": saved.scored.values}
        for item in items:
            st.session_state.pop(f"{prefix}{item.id}", None)
        # a fresh set of widgets next time, so the saved answers don't stay ticked
        st.session_state["_measure_round"] = st.session_state.get("_measure_round", 0) + 1

    if message := st.session_state.pop("_measure_error", None):
        st.error(markdown_text(message))
    st.markdown(f"**{markdown_text(instrument.intro(form))}**")
    with st.form(f"measure-{picked}", border=False):
        for n, item in enumerate(items, start=1):
            st.radio(label_text(f"{item.id}. {item.text}"), [o.label for o in item.options],
                     format_func=label_text, index=None, key=f"{prefix}{item.id}")
        st.form_submit_button("Save answers", type="primary", width="stretch", on_click=submit)
    st.caption(markdown_text(instrument.reference))

st.divider()
st.subheader("My scores over time")
measure_trends(actor, actor.id)
