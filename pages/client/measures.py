"""Questionnaires (PHQ-9, GAD-7, BAM): what's due, answering on a phone, and my scores."""
import streamlit as st

from companion import instruments, measures, safety
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import N_, _, gettext, ngettext
from companion.ui.crisis import crisis_resources
from companion.ui.forms import failure_toast
from companion.ui.gate import current_actor
from companion.ui.measures import measure_trends
from companion.ui.safety_plan import call_buttons, show_plan
from companion.ui.text import clinic_markdown, label_text, markdown_text, option_text

actor = current_actor()
st.title(_("Questionnaires"))
st.caption(_("Short, standard questionnaires that you and your therapist use to see change "
             "over time. You can skip any question."))

RISK_WORDS = {  # what the client reads: a risk answer, or the risk question left blank
    "risk": (N_("Thank you for telling us."),
             N_("You said you've had thoughts that you would be better off dead or of hurting "
                "yourself. That sounds really painful, and you don't have to carry it alone. "
                "Your therapist has been told and will reach out to you today. If you might act "
                "on these thoughts, call 988 or 911 now."),
             N_("Reach someone now")),
    "unanswered": (N_("Thank you for filling this in."),
                   N_("Question 9 was left blank — the one about thoughts that you would be "
                      "better off dead or of hurting yourself. That's okay; it can be a hard one "
                      "to answer. If you can, answering it helps your therapist know how best to "
                      "support you, and you can do it now. Your therapist will see that it was "
                      "left blank and may check in with you today."),
                   N_("If thoughts like these are with you, you can talk to someone any time")),
}


def answer_again(result: dict) -> None:
    """Reopen the questionnaire with the saved answers filled in, the blank one to go."""
    picked = f"{result['instrument']}:{result['form']}"
    st.session_state["measure-pick"] = picked
    prefix = f"m-{picked}-{st.session_state.get('_measure_round', 0)}-"
    instrument = instruments.get(result["instrument"])
    for item in instrument.items(result["form"]):
        label = next((o.label for o in item.options
                      if o.score == result["answers"].get(item.id)), None)
        if label is not None:
            st.session_state[f"{prefix}{item.id}"] = label
    st.session_state["_measure_again"] = list(result["risk_unanswered"])


def risk_response(key: str, kind: str = "risk", result: dict | None = None) -> None:
    headline, message, reach = (gettext(words) for words in RISK_WORDS[kind])
    st.markdown(f"## 💚 {clinic_markdown(headline)}")
    st.write(clinic_markdown(message))
    if kind == "unanswered" and st.button(_("Answer question 9"), key=f"{key}-again",
                                          type="primary", width="stretch",
                                          on_click=answer_again, args=(result,)):
        st.rerun()  # out of the dialog, to the questionnaire
    with session_scope() as session:
        plan = safety.current(session, actor, actor.id)
    st.markdown(f"**{clinic_markdown(reach)}**")  # calls first, before the rest of the plan
    call_buttons(safety.contacts(plan) + safety.standing_contacts(), f"{key}-now")
    st.link_button(_("💬 Text 988"), "sms:988", width="stretch")
    st.markdown(_("**Your safety plan**"))
    if plan is not None:
        st.page_link("pages/client/safety_plan.py", label=_("Open my safety plan"), icon="🛟")
    show_plan(plan, key=key)
    crisis_resources()


@st.dialog(_("You don't have to carry this alone"), width="large")
def risk_dialog() -> None:
    """Opens over the page wherever the phone is scrolled, so the help is in view at once."""
    risk_response("risk-dialog")


@st.dialog(_("About question 9"), width="large")
def unanswered_dialog(result: dict) -> None:
    """The same help for the risk question left blank: gentle, the question offered again."""
    risk_response("unanswered-dialog", "unanswered", result)


result = st.session_state.pop("_measure_result", None)
if result is not None:
    instrument = instruments.get(result["instrument"])
    if result["risk"]:
        risk_dialog()
        with st.container(border=True):  # and it stays on the page after the dialog closes
            risk_response("risk")
    elif result.get("risk_unanswered"):
        unanswered_dialog(result)
        with st.container(border=True):
            risk_response("unanswered", "unanswered", result)
    else:
        st.toast(_("Questionnaire saved."), icon="✅")  # seen where you are
        st.success(_("Saved your {instrument}. Thank you.").format(
            instrument=markdown_text(instrument.title)))
    for scale in instrument.scales:
        st.caption(markdown_text(measures.meaning(instrument, scale.id,
                                                  result["scores"].get(scale.id),
                                                  result.get("missing", {}).get(scale.id))))


def _skip_note(instrument: instruments.Instrument, item_id: str, skipped: set[str]) -> None:
    """Say once, at the first item a skip instruction passes over, why it isn't asked."""
    for rule in instrument.skips:
        if rule.items[0] == item_id and item_id in skipped:
            why = instrument.skip_why(rule)
            note = (_("Question {item} is skipped: {why}.").format(item=rule.items[0], why=why)
                    if len(rule.items) == 1 else
                    _("Questions {first}–{last} are skipped: {why}.").format(
                        first=rule.items[0], last=rule.items[-1], why=why))
            st.caption(markdown_text(note))


@st.fragment
def questionnaire(instrument: instruments.Instrument, form: str, picked: str) -> None:
    """The questions, one radio each. A fragment, not a form: answering a gate question
    (BAM item 4: days of any alcohol) hides what the form says to skip, at once."""
    items = instrument.items(form)
    prefix = f"m-{picked}-{st.session_state.get('_measure_round', 0)}-"

    def chosen(item: instruments.Item) -> int | None:
        label = st.session_state.get(f"{prefix}{item.id}")
        return next((o.score for o in item.options if o.label == label), None)

    if again := st.session_state.get("_measure_again"):
        st.info(markdown_text(_("Your other answers are filled in. Question {items} is the one "
                                "left — answer it if you can. You can still leave it "
                                "blank.").format(items=", ".join(again))))
    if not instrument.validated_in():
        # No validated version in this language (BAM in Spanish): the instrument as published,
        # in English, with a note rather than an unvalidated translation.
        st.info(_("This questionnaire is shown in English: there is no validated version of "
                  "it in your language, and a translation that hasn't been checked could change "
                  "what it measures. If a question isn't clear, your therapist can help."),
                icon="ℹ️")
    with st.container(key="questionnaire-intro"):
        st.markdown(f"**{markdown_text(instrument.intro(form))}**")
    so_far: dict[str, int | None] = {}
    with st.container(key="questionnaire"):
        for item in items:
            skipped = instruments.skipped_by_rule(instrument, so_far | {item.id: None})
            if item.id in skipped:
                _skip_note(instrument, item.id, skipped)
                so_far[item.id] = None
                continue
            key = f"{prefix}{item.id}"  # filled in (answering again): no second default
            st.radio(label_text(f"{item.id}. {item.text}"), [o.label for o in item.options],
                     format_func=label_text, key=key, width="stretch",  # full-width rows
                     **({} if key in st.session_state else {"index": None}))
            so_far[item.id] = chosen(item)
        saving = st.button(_("Save answers"), type="primary", width="stretch")
    if saving:
        try:
            with session_scope() as session:
                saved = measures.submit(session, actor, instrument.id, so_far, form)
        except CompanionError as exc:
            st.error(markdown_text(exc), icon="⚠️")   # under the button, where the thumb is
            failure_toast(exc)
        else:
            st.session_state["_measure_result"] = {
                "instrument": instrument.id, "form": form, "risk": saved.risk,
                "risk_unanswered": list(saved.scored.risk_unanswered), "answers": so_far,
                "scores": saved.scored.values, "missing": saved.scored.missing}
            st.session_state.pop("_measure_again", None)
            for item in items:
                st.session_state.pop(f"{prefix}{item.id}", None)
            # a fresh set of widgets next time, so the saved answers don't stay ticked
            st.session_state["_measure_round"] = st.session_state.get("_measure_round", 0) + 1
            st.rerun()  # the whole page: the thank-you (or the help) shows at the top
    st.caption(markdown_text(_("Questions left blank: {rule} ({source}.)").format(
        rule=instrument.shown_missing_rule,
        source=gettext(instrument.missing_rule_label))))
    st.caption(markdown_text(instrument.shown_reference))


with session_scope() as session:
    due = measures.due(session, actor)
choices = {f"{d.instrument.id}:{d.form}": _("Due: {questionnaire}").format(questionnaire=d.label)
           for d in due}
for instrument in instruments.load_all().values():
    form = "30" if instrument.forms else ""
    choices.setdefault(f"{instrument.id}:{form}", instrument.short)
picked = st.selectbox(_("Questionnaire"), list(choices),
                      format_func=lambda c: option_text(choices[c]),
                      key="measure-pick",  # set by "Answer question 9"
                      **({} if "measure-pick" in st.session_state else {"index": None}),
                      placeholder=_("Choose one") if not due else ngettext(
                          "{n} due — choose one", "{n} due — choose one", len(due)).format(
                              n=len(due)))
if picked:
    instrument_id, form = picked.split(":")
    questionnaire(instruments.get(instrument_id), form, picked)

st.divider()
st.header(_("My scores over time"))
measure_trends(actor, actor.id)
