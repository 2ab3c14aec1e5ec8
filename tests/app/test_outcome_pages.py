"""Measurement-based care on the record page and the caseload outcomes page."""
from datetime import datetime, time, timedelta, timezone

from sqlmodel import select

from companion.core.timeutil import clinic_today
from companion.models import AuditEvent, MeasureResponse
from tests.app.conftest import sign_in, texts


def _answer(session, client, instrument, total, days_ago):
    day = clinic_today() - timedelta(days=days_ago)
    session.add(MeasureResponse(client_id=client.id, instrument=instrument, form="", answers={},
                                scores={"total": total}, local_day=day,
                                completed_at=datetime.combine(day, time(12),
                                                              tzinfo=timezone.utc)))


def test_record_shows_change_since_baseline_and_what_is_due(app, users, session):
    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    _answer(session, client, "phq9", 18, 30)
    _answer(session, client, "phq9", 9, 2)
    _answer(session, client, "gad7", 12, 40)
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/client.py").run()
    at.selectbox(key="record-client").set_value(client.id).run()
    assert not at.exception
    page = texts(at)
    assert "Change since baseline" in page
    assert "PHQ-9 total" in page and "reliable improvement" in page
    assert "response (50% lower)" in page and "not in remission" in page
    assert "one answer so far" in page  # the GAD-7
    assert "Overdue" in page and "Generalized Anxiety Disorder-7" in page
    assert "Kroenke" in page  # the figures used are cited on the page
    details = set(session.exec(select(AuditEvent.detail).where(
        AuditEvent.client_id == client.id, AuditEvent.record_kind == "measure")))
    assert "outcomes" in details


def test_caseload_outcomes_page_withholds_small_counts(app, users, session):
    therapist = users.therapist(name="thera")
    for n in range(3):
        client = users.client(therapist, name=f"c{n}")
        _answer(session, client, "phq9", 14, 20)
        _answer(session, client, "phq9", 3, 1)
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/outcomes.py").run()
    assert not at.exception
    page = texts(at)
    assert "Caseload outcomes" in page and "fewer than 11" in page
    assert "c0" not in page  # counts only, no names
    counts = [m.value for m in at.markdown if m.value.startswith(("- ", "**fewer", "**3"))]
    assert len(counts) == 13 and all("fewer than 11" in c for c in counts)


def test_admin_sees_program_outcomes_by_month_without_names(app, users, session):
    lead = users.therapist(name="lead")
    clients = [users.client(lead, name=f"person{i}") for i in range(12)]
    users.admin(name="boss")
    session.commit()
    sign_in(app, "boss")
    at = app.switch_page("pages/admin/outcomes.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    whole = table[table[""] == "Whole program"].iloc[0]
    assert whole["In the program"] == "12"
    assert whole["Completed a measure"] == "fewer than 11"
    shown = table.to_string() + texts(at)
    assert not any(c.username in shown or c.display_name in shown for c in clients)
    assert "small-cell rule" in texts(at)
