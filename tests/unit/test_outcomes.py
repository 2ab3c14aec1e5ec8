"""Measurement-based care: reliable change, response, remission on worked examples and at
their edges; measures due and overdue; the caseload summary's small-cell rule; access."""
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlmodel import select

from companion import instruments, outcomes
from companion.core.errors import AccessDenied
from companion.core.timeutil import clinic_today
from companion.models import AuditEvent, Enrolment, MeasureResponse
from tests.conftest import actor

PHQ9 = instruments.get("phq9").outcomes["total"]
GAD7 = instruments.get("gad7").outcomes["total"]


def test_figures_are_the_cited_ones():
    assert (PHQ9.reliability, PHQ9.sd) == (0.84, 3.52)
    assert (GAD7.reliability, GAD7.sd) == (0.83, 3.41)
    assert "Kroenke" in PHQ9.reliability_source and "Spitzer" in GAD7.reliability_source
    assert instruments.get("bam").outcomes == {} and instruments.get("bam").outcomes_note


def test_sdiff_worked_example():
    # sqrt(2) · 3.52 · sqrt(1 − 0.84) = 1.4142 · 3.52 · 0.4 = 1.9912
    assert outcomes.sdiff(PHQ9) == pytest.approx(1.9912, abs=1e-4)
    # sqrt(2) · 3.41 · sqrt(0.17) = 1.9884
    assert outcomes.sdiff(GAD7) == pytest.approx(1.9884, abs=1e-4)


@pytest.mark.parametrize("baseline, latest, expected", [
    (18, 14, outcomes.IMPROVED),       # −4 / 1.991 = −2.01: just past −1.96
    (18, 15, outcomes.NO_CHANGE),      # −3 / 1.991 = −1.51
    (10, 14, outcomes.DETERIORATED),   # +4: reliably worse
    (10, 13, outcomes.NO_CHANGE),
    (12, 12, outcomes.NO_CHANGE),
])
def test_phq9_reliable_change_edges(baseline, latest, expected):
    value = outcomes.rci(baseline, latest, PHQ9)
    assert value == pytest.approx((latest - baseline) / 1.99116, abs=1e-3)
    assert outcomes.reliable_change(value) == expected


def test_exactly_the_critical_value_is_not_reliable():
    assert outcomes.reliable_change(-1.96) == outcomes.NO_CHANGE
    assert outcomes.reliable_change(-1.9601) == outcomes.IMPROVED
    assert outcomes.reliable_change(1.97, higher_is_better=True) == outcomes.IMPROVED


@pytest.mark.parametrize("baseline, latest, expected", [
    (18, 9, True),    # exactly half: a response
    (18, 10, False),  # 44% drop
    (7, 3, True),     # 57%
    (7, 4, False),    # 43%
    (0, 0, None),     # nothing to halve
])
def test_response_edges(baseline, latest, expected):
    assert outcomes.is_response(baseline, latest, 0.5) is expected


@pytest.mark.parametrize("latest, expected", [(4, True), (5, False), (0, True)])
def test_remission_edges(latest, expected):
    assert outcomes.is_remission(latest, 5) is expected


@pytest.mark.parametrize("count, shown", [(0, None), (1, None), (10, None), (11, 11), (40, 40)])
def test_small_cells_are_withheld(count, shown):
    assert outcomes.suppress(count) == shown


def _answer(session, client, instrument, total, days_ago, form="", scores=None):
    day = clinic_today() - timedelta(days=days_ago)
    at = datetime.combine(day, time(12), tzinfo=timezone.utc)
    session.add(MeasureResponse(client_id=client.id, instrument=instrument, form=form,
                                answers={}, scores=scores or {"total": total},
                                completed_at=at, local_day=day))
    session.flush()


@pytest.fixture
def care(session, users):
    therapist = users.therapist()
    client = users.client(therapist)
    enrolment = session.get(Enrolment, client.id)
    enrolment.enrolled_at = datetime.now(timezone.utc) - timedelta(days=60)
    session.flush()
    return therapist, client


def test_client_outcomes_baseline_to_latest(session, care):
    therapist, client = care
    _answer(session, client, "phq9", 18, 40)
    _answer(session, client, "phq9", 12, 20)
    _answer(session, client, "phq9", 4, 3)
    _answer(session, client, "gad7", 9, 40)
    found = outcomes.for_client(session, actor(therapist), client.id)
    phq = next(c for c in found.changes if c.instrument.id == "phq9")
    assert (phq.baseline, phq.latest, phq.answers) == (18, 4, 3)
    assert phq.rci == pytest.approx(-14 / outcomes.sdiff(PHQ9))
    assert (phq.reliable, phq.response, phq.remission) == (outcomes.IMPROVED, True, True)
    assert phq.reliable_points == 4
    gad = next(c for c in found.changes if c.instrument.id == "gad7")
    assert gad.rci is None and gad.reliable is None and gad.response is None  # one answer


def test_bam_compares_one_form_and_has_no_rci(session, care):
    therapist, client = care
    _answer(session, client, "bam", None, 30, "30", {"use": 9, "risk": 14, "protective": 8})
    _answer(session, client, "bam", None, 20, "7", {"use": 3, "risk": 12, "protective": 10})
    _answer(session, client, "bam", None, 6, "7", {"use": 0, "risk": 9, "protective": 15})
    found = outcomes.for_client(session, actor(therapist), client.id)
    bam = {c.scale.id: c for c in found.changes if c.instrument.id == "bam"}
    assert (bam["use"].form, bam["use"].baseline, bam["use"].latest) == ("7", 3, 0)
    assert bam["protective"].baseline == 10 and bam["protective"].latest == 15
    assert all(c.rci is None and c.reliable is None for c in bam.values())


def test_due_and_overdue_from_the_schedule(session, care):
    therapist, client = care
    _answer(session, client, "phq9", 10, 16)   # every 14 days: due 2 days ago
    _answer(session, client, "gad7", 10, 30)   # due 16 days ago: overdue
    _answer(session, client, "bam", None, 50, "30", {"use": 0, "risk": 0, "protective": 0})
    _answer(session, client, "bam", None, 3, "7", {"use": 0, "risk": 0, "protective": 0})
    due = {d.label.split(" ")[0]: d for d in
           outcomes.for_client(session, actor(therapist), client.id).due}
    assert set(due) == {"Mood", "Anxiety"}
    phq = next(d for d in due.values() if "Mood" in d.label)
    gad = next(d for d in due.values() if "Anxiety" in d.label)
    assert phq.due_on == clinic_today() - timedelta(days=2) and not phq.overdue
    assert gad.overdue


def test_overdue_edge_is_seven_days():
    rows = [("phq9", "", {"total": 3}, clinic_today() - timedelta(days=21)),
            ("gad7", "", {"total": 3}, clinic_today() - timedelta(days=20))]
    due = outcomes.due_measures(rows, "client", clinic_today(), clinic_today())
    flags = {d.label.split(" ")[0]: d.overdue for d in due}
    assert flags["Mood"] is True and flags["Anxiety"] is False


def test_never_answered_counts_from_enrolment(session, care):
    therapist, client = care  # enrolled 60 days ago, nothing answered
    due = outcomes.for_client(session, actor(therapist), client.id).due
    assert due and all(d.overdue for d in due)


def test_therapist_reads_only_their_own_clients_and_is_audited(session, users, care):
    therapist, client = care
    other = users.therapist()
    with pytest.raises(AccessDenied):
        outcomes.for_client(session, actor(other), client.id)
    outcomes.for_client(session, actor(therapist), client.id)
    session.flush()
    rows = session.exec(select(AuditEvent).where(AuditEvent.actor_id == therapist.id)).all()
    assert any(r.record_kind == "measure" and r.client_id == client.id and r.action == "read"
               for r in rows)


def test_a_client_reads_their_own_not_anothers(session, users, care):
    _, client = care
    other = users.client(users.therapist())
    assert outcomes.for_client(session, actor(client), client.id).client_id == client.id
    with pytest.raises(AccessDenied):
        outcomes.for_client(session, actor(client), other.id)


def test_caseload_summary_withholds_cells_under_eleven(session, users):
    therapist = users.therapist()
    clients = [users.client(therapist) for _ in range(12)]
    for n, c in enumerate(clients):
        _answer(session, c, "phq9", 18, 30)
        _answer(session, c, "phq9", 4 if n < 11 else 17, 2)  # 11 remit, 1 does not
    summary = outcomes.caseload_summary(session, actor(therapist))
    assert summary.clients.count == 12
    phq = {c.label: c.count for c in summary.cells["PHQ-9"]}
    assert phq["with a baseline and a later score"] == 12
    assert phq["remission (under 5)"] == 11 and phq[outcomes.IMPROVED] == 11
    assert phq[outcomes.DETERIORATED] is None          # 0: withheld too
    gad = {c.label: c.count for c in summary.cells["GAD-7"]}
    assert set(gad.values()) == {None}
    session.flush()
    audited = {r.client_id for r in session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == therapist.id, AuditEvent.record_kind == "measure"))}
    assert audited == {c.id for c in clients}


def test_caseload_summary_small_caseload_is_all_withheld(session, users):
    therapist = users.therapist()
    for _ in range(3):
        _answer(session, users.client(therapist), "phq9", 12, 3)
    summary = outcomes.caseload_summary(session, actor(therapist))
    assert summary.clients.count is None and summary.clients.shown == "fewer than 11"


def test_caseload_summary_is_for_therapists(session, users):
    with pytest.raises(AccessDenied):
        outcomes.caseload_summary(session, actor(users.client(users.therapist())))
