"""The audit trail: every staff read or change of a client's records, filterable, exportable,
and checked for tampering."""
from datetime import timedelta

import streamlit as st

from companion import audit, people
from companion.core.db import session_scope
from companion.models import Role
from companion.core.timeutil import clinic_today
from companion.i18n import _, gettext
from companion.ui.downloads import download_button
from companion.ui.gate import current_actor
from companion.ui.text import markdown_text, number_text, option_text, table_text

actor = current_actor()
st.title(_("Audit trail"))
st.caption(_("Every time staff open or change a client's records, it is written here: what "
             "was opened, never its content. Rows are chained with hashes, so any change or "
             "removal shows up in the check below."))

with session_scope() as session:
    everyone = people.people(session, actor)
staff = everyone[everyone["Role"].isin([Role.THERAPIST, Role.ADMIN])]
clients = everyone[everyone["Role"].isin([Role.CLIENT, Role.ALUMNI])]
staff_names = {r.id: f"{r.Name} ({r.Username})" for r in staff.itertuples()}
client_names = {r.id: f"{r.Name} ({r.Username})" for r in clients.itertuples()}
cols = st.columns(2)
staff_id = cols[0].selectbox(_("Staff member"), [None, *staff["id"].tolist()],
                             format_func=lambda i: _("Anyone") if i is None
                             else option_text(staff_names[i]))
client_id = cols[1].selectbox(_("Client"), [None, *clients["id"].tolist()],
                              format_func=lambda i: _("Any client") if i is None
                              else option_text(client_names[i]))
kinds = audit.record_kinds()
cols = st.columns(2)
actions = cols[0].multiselect(_("Actions"), list(audit.ACTIONS), default=audit.DEFAULT_ACTIONS,
                              format_func=lambda a: option_text(gettext(audit.ACTIONS[a])),
                              placeholder=_("Every action"))
chosen_kinds = cols[1].multiselect(_("Records"), list(kinds),
                                   format_func=lambda k: option_text(gettext(kinds[k])),
                                   placeholder=_("Every kind of record"))
collapse = st.toggle(_("One line per list view"), value=True,
                     help=_("A list (People, a caseload) writes a row for each client it "
                            "shows; this folds them into one line. Pick a client to see "
                            "theirs."))
today = clinic_today()
period = st.date_input(_("Dates"), (today - timedelta(days=30), today), max_value=today)
start, end = (period if isinstance(period, tuple) and len(period) == 2 else (None, None))
limit = st.selectbox(_("Show the newest"), [100, 500, 2000], index=1)
with session_scope() as session:
    frame = audit.events(session, actor, staff_id=staff_id and int(staff_id),
                         client_id=client_id and int(client_id), start=start, end=end,
                         limit=limit, actions=actions, kinds=chosen_kinds,
                         collapse_lists=collapse)
st.caption(_("{n} rows shown.").format(n=number_text(len(frame))))
st.dataframe(table_text(frame.rename(columns={k: gettext(v)
                                              for k, v in audit.COLUMN_WORDS.items()})),
             hide_index=True, width="stretch")
filters = ", ".join(p for p in (
    f"staff {staff_names[staff_id]}" if staff_id is not None else "",
    f"client {client_names[client_id]}" if client_id is not None else "",
    "actions " + "/".join(actions) if actions else "",
    "records " + "/".join(chosen_kinds) if chosen_kinds else "",
    f"{start} to {end}" if start else "") if p)


def exported() -> str:
    with session_scope() as session:
        return audit.export_csv(session, actor, frame, filters)


download_button(_("Download as CSV"), exported, file_name="audit-trail.csv",
                mime="text/csv", width="stretch",
                help=_("Carries the 42 CFR Part 2 notice prohibiting re-disclosure. The "
                       "download is itself written to the trail."))
if st.button(_("Check the trail for tampering"), width="stretch"):
    with session_scope() as session:
        verdict = audit.verify(session)
    (st.success if verdict.ok else st.error)(markdown_text(verdict.message))
