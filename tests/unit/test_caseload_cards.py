"""Issue 19: the caseload in words (cards, filters, baseline scores), acknowledging several
flags with one note, a minute's undo, "recently acknowledged" and each client's flag history."""
from datetime import timedelta

import pytest
from sqlmodel import select

from companion import caseload, flags, instruments, measures
from companion.checkins import record_checkin
from companion.core.errors import AccessDenied, InvalidInput
from companion.core.timeutil import clinic_today, utcnow
from companion.models import AuditEvent, Enrolment, Flag, MeasureResponse, User
from tests.conftest import actor
from tests.support.entries import answered


@pytest.fixture
def world(users, session):
    therapist = users.therapist(name="thera")
    robin = users.client(therapist, name="robin")
    calm = users.client(therapist, name="calm")
    other_therapist = users.therapist(name="other")
    elsewhere = users.client(other_therapist, name="elsewhere")
    record_checkin(session, actor(robin), answered(craving=9, mood=4))
    measures.submit(session, actor(robin), "phq9", {str(i): 1 for i in range(1, 10)})
    record_checkin(session, actor(elsewhere), answered(craving=9, mood=4))
    session.flush()
    return dict(therapist=actor(therapist), other=actor(other_therapist), robin=robin,
                calm=calm, elsewhere=elsewhere)


def _open(session, client) -> list[Flag]:
    return list(session.exec(select(Flag).where(Flag.client_id == client.id,
                                                Flag.acknowledged_at.is_(None))))


def test_one_note_acknowledges_several_flags_of_one_client(session, world):
    ids = [f.id for f in _open(session, world["robin"])]
    assert len(ids) >= 2
    done = flags.acknowledge_many(session, world["therapist"], ids, "Called; plan reviewed")
    assert {f.ack_note for f in done} == {"Called; plan reviewed"} and not _open(
        session, world["robin"])


def test_one_note_never_spans_two_clients(session, world, users):
    theirs = _open(session, world["robin"])[0].id
    session.add(Flag(client_id=world["calm"].id, rule="no_checkin", reason="No check-in",
                     tier="routine"))
    session.flush()
    calms = _open(session, world["calm"])[0].id
    with pytest.raises(InvalidInput, match="one client"):
        flags.acknowledge_many(session, world["therapist"], [theirs, calms], "Called")
    assert _open(session, world["calm"]) and len(_open(session, world["robin"])) >= 2
    with pytest.raises(InvalidInput, match="tick at least one"):
        flags.acknowledge_many(session, world["therapist"], [], "Called")


def test_acknowledging_another_therapists_client_is_refused(session, world):
    theirs = _open(session, world["elsewhere"])[0].id
    with pytest.raises(AccessDenied):
        flags.acknowledge_many(session, world["therapist"], [theirs], "Called")


def test_undo_reopens_within_a_minute_and_only_for_its_author(session, world, users):
    flag = _open(session, world["robin"])[0]
    flags.acknowledge_many(session, world["therapist"], [flag.id], "Called")
    colleague = actor(users.therapist(name="colleague"))
    with pytest.raises(AccessDenied):  # not their client
        flags.undo_acknowledge(session, colleague, [flag.id])
    flags.undo_acknowledge(session, world["therapist"], [flag.id])
    assert flag.acknowledged_at is None and flag.ack_note == "" and flag.acknowledged_by is None
    flags.acknowledge_many(session, world["therapist"], [flag.id], "Called again")
    flag.acknowledged_at = utcnow() - timedelta(seconds=flags.UNDO_SECONDS + 1)
    with pytest.raises(InvalidInput, match="can no longer be undone"):
        flags.undo_acknowledge(session, world["therapist"], [flag.id])
    assert flag.ack_note == "Called again"
    details = list(session.exec(select(AuditEvent.detail).where(
        AuditEvent.client_id == world["robin"].id, AuditEvent.action == "write")))
    assert any(d.startswith("undid acknowledging") for d in details)


def test_recently_acknowledged_is_my_caseload_only_and_audited(session, world):
    mine = _open(session, world["robin"])[0]
    flags.acknowledge_many(session, world["therapist"], [mine.id], "Called")
    theirs = _open(session, world["elsewhere"])[0]
    flags.acknowledge_many(session, world["other"], [theirs.id], "Texted")
    recent = caseload.recently_acknowledged(session, world["therapist"])
    assert [(f.id, name, by) for f, name, by in recent] == [
        (mine.id, world["robin"].display_name, world["therapist"].display_name)]
    audited = set(session.exec(select(AuditEvent.client_id).where(
        AuditEvent.detail == "recently acknowledged")))
    assert audited == {world["robin"].id}


def test_flag_history_names_who_acknowledged(session, world):
    flag = _open(session, world["robin"])[0]
    flags.acknowledge_many(session, world["therapist"], [flag.id], "Called")
    history = flags.history(session, world["therapist"], world["robin"].id)
    assert (flag, world["therapist"].display_name) in history
    assert history[0][0].acknowledged_at is None  # open ones first
    with pytest.raises(AccessDenied):
        flags.history(session, world["therapist"], world["elsewhere"].id)


def test_caseload_filters_audit_only_the_rows_returned(session, world):
    frame = caseload.for_therapist(session, world["therapist"], flagged_only=True)
    assert list(frame["client_id"]) == [world["robin"].id]
    audited = set(session.exec(select(AuditEvent.client_id).where(
        AuditEvent.detail == "caseload")))
    assert audited == {world["robin"].id}
    enrolment = session.get(Enrolment, world["calm"].id)
    enrolment.enrolled_at -= timedelta(days=10)  # long enough in to have missed a week
    session.flush()
    frame = caseload.for_therapist(session, world["therapist"], min_missed=2)
    assert list(frame["client_id"]) == [world["calm"].id]  # robin checked in today


def test_cards_say_it_in_words_with_baseline_change(session, world):
    robin = world["robin"]
    first = session.exec(select(MeasureResponse).where(
        MeasureResponse.client_id == robin.id)).one()
    first.completed_at -= timedelta(days=14)  # the baseline, two weeks ago
    measures.submit(session, actor(robin), "phq9", {str(i): 2 for i in range(1, 10)})
    session.flush()
    frame = caseload.for_therapist(session, world["therapist"])
    open_list = caseload.open_flags(session, world["therapist"])
    cards = caseload.cards(frame, open_list)
    assert [c.name for c in cards] == [robin.display_name, world["calm"].display_name]
    card = cards[0]
    assert card.top_flag.tier == "urgent" and card.open_flags >= 2
    assert card.facts[0] == "Last check-in today"
    assert "craving 9.0/10 this week, steady" in card.facts
    assert "PHQ-9 18 (moderately severe), up 9 from 9 at baseline" in card.facts
    assert cards[1].top_flag is None and cards[1].facts[0] == "Last check-in never"


def test_days_ago_words():
    today = clinic_today()
    assert caseload.days_ago(today, today) == "today"
    assert caseload.days_ago(today - timedelta(days=1), today) == "yesterday"
    assert caseload.days_ago(today - timedelta(days=5), today) == "5 days ago"
    assert caseload.days_ago(None, today) == "never"


def _answer_everything(session, client):
    measures.submit(session, actor(client), "phq9", {str(i): 0 for i in range(1, 10)})
    measures.submit(session, actor(client), "gad7", {str(i): 0 for i in range(1, 8)})
    bam = instruments.get("bam")
    measures.submit(session, actor(client), "bam", {i.id: 0 for i in bam.items("30")}, "30")


def test_the_caseload_says_which_measures_are_due_and_filters_on_them(session, world):
    _answer_everything(session, world["calm"])
    frame = caseload.for_therapist(session, world["therapist"])
    due = dict(zip(frame["client_id"], frame["Measures due"]))
    assert "Anxiety check (GAD-7)" in due[world["robin"].id]   # PHQ-9 answered today
    assert "Mood check (PHQ-9)" not in due[world["robin"].id]
    assert due[world["calm"].id] == ""
    row = frame[frame["client_id"] == world["calm"].id].iloc[0].to_dict()
    assert "measures up to date" in caseload.card_facts(row, clinic_today())
    only_due = caseload.for_therapist(session, world["therapist"], measures_due=True)
    assert list(only_due["client_id"]) == [world["robin"].id]
    # another therapist's client never appears, filtered or not
    assert world["elsewhere"].id not in set(frame["client_id"]) | set(only_due["client_id"])


def test_the_page_view_reads_the_flags_once_and_agrees_with_each_part(session, world, users):
    """`caseload.view` (what the page calls) gives what `for_therapist`, `open_flags` and
    `recently_acknowledged` give one by one, raises a due "no check-in" flag into the list
    it returns, and audits it all in one INSERT."""
    from sqlalchemy import event

    mine = _open(session, world["robin"])[0]
    flags.acknowledge_many(session, world["therapist"], [mine.id], "Called")
    quiet = users.client(session.get(User, world["therapist"].id), name="quiet")
    enrolment = session.get(Enrolment, quiet.id)
    enrolment.enrolled_at -= timedelta(days=10)  # no check-in for 10 days: a flag is due
    session.flush()
    sent: list[str] = []
    listener = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        shown = caseload.view(session, world["therapist"])
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert sum("FROM flags" in s for s in sent) == 1
    assert sum(s.startswith("INSERT INTO audit_events") for s in sent) == 1
    raised = [f for f, _ in shown.open_flags if f.client_id == quiet.id]
    assert [f.rule for f in raised] == [flags.Rule.NO_CHECKIN]
    assert ([(f.id, n) for f, n in shown.open_flags]
            == [(f.id, n) for f, n in caseload.open_flags(session, world["therapist"])])
    assert ([(f.id, n, b) for f, n, b in shown.recent]
            == [(f.id, n, b) for f, n, b in caseload.recently_acknowledged(
                session, world["therapist"])] == [
                (mine.id, world["robin"].display_name, world["therapist"].display_name)])
    apart = caseload.for_therapist(session, world["therapist"])
    assert shown.frame.drop(columns=["Last check-in day"]).equals(
        apart.drop(columns=["Last check-in day"]))
    assert world["elsewhere"].id not in set(shown.frame["client_id"])
    assert world["elsewhere"].id not in {f.client_id for f, _ in shown.open_flags}
    details = set(session.exec(select(AuditEvent.detail).where(
        AuditEvent.actor_id == world["therapist"].id, AuditEvent.action == "read")))
    assert {"caseload", "open flags", "recently acknowledged"} <= details
