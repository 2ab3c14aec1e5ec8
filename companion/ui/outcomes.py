"""Measurement-based care on screen: a client's baseline → latest with reliable change,
response and remission, and what is due (the record page); the caseload's counts."""
from __future__ import annotations

import streamlit as st

from companion import instruments, outcomes
from companion.actors import Actor
from companion.core.db import session_scope
from companion.outcomes import Change, DueMeasure
from companion.i18n import _, current, format_month, format_month_day, gettext
from companion.ui.text import markdown_text, number_text, option_text, table_text


def _band_markdown(change: Change, value: int) -> str:
    band = change.scale.band(value)
    if not band:
        return _("unbanded")
    label = band.label
    if current() != "en" and hasattr(change.instrument, "band_words"):
        label = change.instrument.band_words(change.scale, band)[0]
    return markdown_text(label.lower())


def _verdict_markdown(change: Change) -> str:
    if change.answers < 2:
        return _("one answer so far: nothing to compare yet")
    if change.rci is None:
        return _("no reliable-change test: {why}").format(
            why=markdown_text(change.instrument.outcomes_note))
    return _("**{verdict}** (RCI {rci}; {points} points or more is reliable)").format(
        verdict=markdown_text(gettext(change.reliable)), rci=number_text(change.rci, '+.1f'),
        points=number_text(change.reliable_points))


def _extras_markdown(change: Change) -> str:
    response = (" · " + _("response (50% lower)") if change.response
                else " · " + _("no response yet") if change.response is False else "")
    remission = (" · " + _("remission") if change.remission
                 else " · " + _("not in remission") if change.remission is False else "")
    return response + remission


def _form_markdown(change: Change) -> str:
    form = change.instrument.form(change.form)
    if not form:
        return ""
    label = (change.instrument.form_label(change.form)
             if hasattr(change.instrument, "form_label") else form.label)
    return " " + _("({form} form)").format(form=markdown_text(label))


def change_markdown(change: Change) -> str:
    """One line: "PHQ-9 total 18 (moderately severe, Oct 3) → 4 (minimal, Nov 28) · …"."""
    return (f"**{markdown_text(change.title)}**{_form_markdown(change)}: "
            f"{number_text(change.baseline)} ({_band_markdown(change, change.baseline)}, "
            f"{markdown_text(format_month_day(change.baseline_day))}) → "
            f"{number_text(change.latest)} ({_band_markdown(change, change.latest)}, "
            f"{markdown_text(format_month_day(change.latest_day))}) · "
            f"{_verdict_markdown(change)}{_extras_markdown(change)}")


def due_markdown(due: DueMeasure) -> str:
    return (_("⏰ **Overdue**: {measure} (since {day})") if due.overdue
            else _("📝 Due: {measure} (since {day})")).format(
        measure=markdown_text(due.label), day=markdown_text(format_month_day(due.due_on)))


def how_it_is_worked_out() -> None:
    with st.expander(_("How reliable change is worked out")):
        st.markdown(_("Jacobson–Truax reliable change index: RCI = (latest − baseline) / Sdiff, "
                      "Sdiff = √2 · SD · √(1 − r). A change is reliable when |RCI| > 1.96. "
                      "Response: at least 50% below baseline. Remission: under 5."))
        for instrument in instruments.load_all().values():
            for scale_id, figures in instrument.outcomes.items():
                st.markdown(f"**{markdown_text(instrument.title)}**: r = "
                            f"{number_text(figures.reliability)} "
                            f"({markdown_text(figures.reliability_kind)}; "
                            f"{markdown_text(figures.reliability_source)}); SD = "
                            f"{number_text(figures.sd)} ({markdown_text(figures.sd_source)})")
            if instrument.outcomes_note:
                st.markdown(f"**{markdown_text(instrument.title)}**: "
                            + markdown_text(instrument.outcomes_note))


def client_outcomes(actor: Actor, client_id: int) -> None:
    """The record page's compact section: change since baseline, then what is due."""
    with session_scope() as session:
        found = outcomes.for_client(session, actor, client_id)
    st.markdown(_("**Change since baseline**"))
    if not found.changes:
        st.caption(_("No questionnaires answered yet."))
    for change in found.changes:
        st.markdown(change_markdown(change))
    if not found.due:
        st.caption(_("Nothing due today."))
    for due in found.due:
        st.markdown(due_markdown(due))
    how_it_is_worked_out()


def caseload_outcomes(actor: Actor) -> None:
    """Counts for the whole caseload; any count under 11 clients is withheld."""
    with session_scope() as session:
        summary = outcomes.caseload_summary(session, actor)
    st.markdown(f"**{markdown_text(summary.clients.shown)}** "
                f"{markdown_text(summary.clients.label)}")
    for heading, cells in summary.cells.items():
        st.markdown(f"**{markdown_text(heading)}**")
        for cell in cells:
            st.markdown(f"- {markdown_text(cell.shown)} {markdown_text(cell.label)}")
    st.caption(_("Counts only. Any count under {n} clients, zero included, is withheld (the CMS "
                 "small-cell rule).").format(n=number_text(outcomes.SMALL_CELL)))
    how_it_is_worked_out()


def program_outcomes(actor: Actor) -> None:
    """An admin's month-by-month program figures: a row for the program, each track and site."""
    import pandas as pd

    from companion import program_outcomes as program

    month = st.selectbox(_("Month"), program.months(),
                         format_func=lambda d: option_text(format_month(d)),
                         key="program-month")
    with session_scope() as session:
        rows = program.for_month(session, actor, month)
    table = pd.DataFrame([[row.label, *(f.shown for f in row.figures)] for row in rows],
                         columns=["", *program.column_words()])
    st.dataframe(table_text(table), hide_index=True, width="stretch")
    st.caption(_(
        "Counts of clients, with the share of those in the program that month. Any count "
        "under {n} clients, zero included, is withheld with its share (the CMS small-cell "
        "rule), so no one can be picked out. “Checked in”: on {days} or more days of the "
        "month; reliable improvement and remission: baseline to the latest score by the "
        "month's end.").format(n=number_text(outcomes.SMALL_CELL),
                               days=number_text(program.ENGAGED_DAYS)))
    how_it_is_worked_out()
