"""Aftercare plan widgets shared by the client's editor and the reviewer's page."""
from __future__ import annotations

from datetime import date

import streamlit as st

from companion import aftercare, phones
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _, format_moment, gettext
from companion.ui.text import label_text, markdown_text, number_text, option_text


ROWS_SHOWN = 3            # empty rows offered: one more than filled, at least three
DATE_FIELDS = ("target_date", "next_refill")
PROGRESS_STEPS = list(range(0, 101, 5))


def widget_key(section: str, since: int) -> str:
    """The prefix of a section's boxes. It changes only when that section's saved value does
    (`since`: the version it was saved in), so saving one section leaves what is typed in
    the others where it is, and a section just saved shows what was stored."""
    return f"ac-{section}-{since}-"


def _as_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _is_date(text: str) -> bool:
    """Stored as an ISO date, or empty: a date picker can show it (a refill date typed as
    text before there was a picker stays a text box, so nothing typed is lost)."""
    return not text or _as_date(text) is not None


def _field(f: str, value: str, key: str, n: int | None = None) -> None:
    label = label_text(aftercare.label(f)) + (
        f" ({number_text(n + 1)})" if n is not None else "")  # rows stack on a phone
    if f == "level":  # stored as the English choice, shown in the reader's language
        options = ["", *aftercare.CARE_LEVELS]
        shown = {o: option_text(gettext(o) if o else "") for o in options}  # fixed now
        st.selectbox(label, options, format_func=lambda o: shown.get(o, option_text(o)),
                     index=options.index(value) if value in options else 0, key=key)
    elif f in DATE_FIELDS and _is_date(value):
        st.date_input(label, _as_date(value), format=_("MM/DD/YYYY"), key=key)
    elif f == "progress":
        number = int(value) if value.isdecimal() and int(value) <= 100 else 0
        options = sorted({*PROGRESS_STEPS, number})
        st.select_slider(label, options, value=number, key=key,
                         format_func=lambda n: f"{number_text(n)}%")
    else:
        st.text_input(label, value, key=key)


def section_editor(section: str, value, key: str, row_message=None) -> None:
    """The boxes of one section, filled with `value` (as stored, or a draft kept from a
    refused save); `section_value` reads them back. `row_message(n)`, if given, draws row
    n's own message under it."""
    _title, kind, fields = aftercare.SECTIONS[section]
    if kind == "text":
        st.text_area(label_text(aftercare.title(section)), value or "", key=key + "text", height=120,
                     label_visibility="collapsed")
    elif kind == "fields":
        for f in fields:
            _field(f, str((value or {}).get(f, "")), f"{key}{f}")
    else:
        rows = value or []
        shown = min(aftercare.MAX_ROWS, max(ROWS_SHOWN, len(rows) + 1))
        for n in range(shown):
            row = rows[n] if n < len(rows) else {f: "" for f in fields}
            if n:
                st.divider()
            for f in fields:  # one under another: on a phone columns stack anyway
                _field(f, str(row.get(f, "")), f"{key}{n}-{f}", n)
            if row_message is not None:
                row_message(n)


def _read(ss, key: str):
    value = ss.get(key, "")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def section_value(section: str, key: str):
    """What the boxes of one section hold now, as the service takes it."""
    _title, kind, fields = aftercare.SECTIONS[section]
    ss = st.session_state
    if kind == "text":
        return ss.get(key + "text", "")
    if kind == "fields":
        return {f: _read(ss, f"{key}{f}") for f in fields}
    rows = []
    for n in range(aftercare.MAX_ROWS):
        if not any(f"{key}{n}-{f}" in ss for f in fields):
            break
        row = {f: _read(ss, f"{key}{n}-{f}") for f in fields}
        if section == "goals" and not (row["goal"] or row["target_date"]) \
                and row["progress"] == "0":
            row["progress"] = ""  # the slider of an empty row, untouched: not a goal
        rows.append(row)
    return rows


def show_section(sections: dict, key: str) -> None:
    lines = aftercare.section_lines(sections, key)
    if not lines:
        st.caption(_("Not filled in yet."))
    if key == "people":
        for row in sections.get("people", []):
            who = row["name"] + (f" ({row['relationship']})" if row["relationship"] else "")
            link = phones.tel(row["phone"])
            if link:
                st.link_button(f"📞 {label_text(who)} · {label_text(row['phone'])}", link,
                               width="stretch", wrap=True)
            else:  # no number, or one saved before numbers were checked: never a dead link
                st.markdown("📞 " + markdown_text(" · ".join(filter(None, (who, row["phone"])))))
        return
    for line in lines:
        st.markdown("- " + markdown_text(line))


def history_and_diff(actor: Actor, client_id: int, key: str) -> None:
    with session_scope() as session:
        versions = aftercare.history(session, actor, client_id)
        events = aftercare.events(session, actor, client_id)
    if len(versions) < 1:
        return
    with st.expander(_("History ({count} versions)").format(count=number_text(len(versions)))):
        for event in events[:10]:
            label = (aftercare.status_label(event.event) if event.event in aftercare.STATUS_LABELS
                     else {"withdrawn": _("Withdrawn")}.get(event.event,
                                                           event.event.capitalize()))
            note = f" — “{markdown_text(event.note)}”" if event.note else ""
            st.markdown(_("{when} · version {version} · **{event}**").format(
                when=markdown_text(format_moment(event.created_at)),
                version=number_text(event.version), event=markdown_text(label)) + note)
        if len(versions) >= 2:
            numbers = [v.version for v in versions]
            cols = st.columns(2)
            old = cols[0].selectbox(_("Compare version"), numbers[1:], key=f"{key}-old",
                                    format_func=number_text)
            new = cols[1].selectbox(_("with version"), numbers, key=f"{key}-new",
                                    format_func=number_text)
            by_number = {v.version: v for v in versions}
            changes = aftercare.diff(by_number[old].sections, by_number[new].sections)
            if not changes:
                st.caption(_("No differences."))
            for title, lines in changes:
                st.markdown(f"**{markdown_text(title)}**")
                for line in lines:
                    sign, text = line[:1], line[2:]
                    st.markdown((_("🟢 added: {line}") if sign == "+"
                                 else _("🔴 removed: {line}")).format(line=markdown_text(text)))


def comment_byline_markdown(comment, authors: dict[int, str]) -> str:
    """Markdown: who wrote a comment and when ("edited" and when, if it was)."""
    who = markdown_text(authors.get(comment.author_id) or _("Your reviewer"))
    when = markdown_text(format_moment(comment.created_at))
    if comment.edited_at:
        return _("{who} · {when} · edited {edited}").format(
            who=who, when=when, edited=markdown_text(format_moment(comment.edited_at)))
    return f"{who} · {when}"


def comment_card(actor: Actor, comment, authors: dict[int, str], wordings: dict[int, int],
                 key: str) -> None:
    """A comment with its author and time; its author may reword it (every wording is kept
    and shown to whoever reads the plan)."""
    st.info("💬 " + markdown_text(comment.text))
    st.caption(comment_byline_markdown(comment, authors))
    if comment.edited_at is not None:
        with st.expander(_("Earlier wordings")):
            with session_scope() as session:
                wordings_kept = aftercare.comment_history(session, actor, comment.id)
            for old in wordings_kept[1:]:
                st.markdown(f"{markdown_text(format_moment(old.created_at))}: "
                            + markdown_text(old.text))
    if comment.author_id != actor.id:
        return
    with st.popover(_("Edit comment"), width="stretch"):
        field = f"{key}-edit-{comment.id}"
        st.text_area(_("Comment"), value=comment.text, key=field)
        if st.button(_("Save comment"), key=f"{field}-save", width="stretch"):
            try:
                with session_scope() as session:
                    aftercare.edit_comment(session, actor, comment.id,
                                           st.session_state.get(field, ""),
                                           expected_version=wordings.get(comment.id, 1))
            except CompanionError as exc:
                st.error(markdown_text(exc))  # what was typed stays in the box
            else:
                st.session_state.pop(field, None)
                st.rerun()
