"""Caseload by need, flag acknowledgement, the audit hash chain and who-viewed-me."""
from datetime import timedelta

import pytest
from sqlmodel import delete, select, update

from companion import audit, caseload, cli, flags
from companion.checkins import record_checkin
from companion.core.db import get_engine, session_scope
from companion.core.errors import AccessDenied, InvalidInput
from companion.models import AuditEvent, CheckIn, Enrolment, Flag
from companion.core.timeutil import clinic_today, utcnow
from tests.conftest import actor
from tests.support.entries import answered


def _checkin(session, client, days_ago, **values):
    session.add(CheckIn(client_id=client.id, day=clinic_today() - timedelta(days=days_ago),
                        **{"mood": 6, "craving": 2, "stress": 3, "sleep_hours": 7,
                           "sleep_quality": 3, "used": "no", **values}))


@pytest.fixture
def world(session, users):
    therapist, other = users.therapist(name="thera"), users.therapist(name="other")
    calm = users.client(therapist, name="calm")
    struggling = users.client(therapist, name="struggling")
    urgent = users.client(therapist, name="urgent")
    elsewhere = users.client(other, name="elsewhere")
    for c in (calm, struggling, urgent, elsewhere):
        session.get(Enrolment, c.id).enrolled_at = utcnow() - timedelta(days=30)
        for d in range(0, 21):
            _checkin(session, c, d)
    for d in range(0, 7):  # struggling: used on 2 days, mood fell
        session.exec(update(CheckIn).where(CheckIn.client_id == struggling.id,
                                           CheckIn.day == clinic_today() - timedelta(days=d))
                     .values(mood=3, used="yes" if d < 2 else "no"))
    session.add(Flag(client_id=urgent.id, rule="self_harm", reason="PHQ-9 item 9", tier="urgent"))
    session.flush()
    return {"therapist": actor(therapist), "other": actor(other), "calm": calm,
            "struggling": struggling, "urgent": urgent, "elsewhere": elsewhere}


def test_caseload_is_mine_only_and_sorted_by_need(session, world):
    frame = caseload.for_therapist(session, world["therapist"])
    assert list(frame["Client"]) == [world[n].display_name
                                     for n in ("urgent", "struggling", "calm")]
    row = frame.set_index("Client").loc[world["struggling"].display_name]
    assert (row["Use days (14d)"], row["Mood 7d"], row["Mood change"]) == (2, 3.0, -3.0)
    assert row["Missed (7d)"] == 0


def test_caseload_reads_are_audited_as_what_they_show(session, world):
    """Was: one "profile" row per client, though the caseload shows use days, flags and
    questionnaire scores."""
    caseload.for_therapist(session, world["therapist"])
    session.flush()
    audited = set(session.exec(select(AuditEvent.client_id, AuditEvent.record_kind).where(
        AuditEvent.actor_id == world["therapist"].id)))
    assert audited == {(world[n].id, kind) for n in ("calm", "struggling", "urgent")
                       for kind in ("profile", "checkin", "flag", "measure", "attendance")}


def test_caseload_filters_by_track_and_site(session, world):
    session.get(Enrolment, world["calm"].id).track = "evening"
    frame = caseload.for_therapist(session, world["therapist"], track="evening")
    assert list(frame["Client"]) == [world["calm"].display_name]


@pytest.mark.parametrize("days_since,fires", [(2, False), (3, True)])
def test_no_checkin_for_three_days_raises_one_flag(session, world, days_since, fires):
    session.exec(delete(CheckIn).where(CheckIn.client_id == world["calm"].id,
                                       CheckIn.day > clinic_today() - timedelta(days=days_since)))
    caseload.for_therapist(session, world["therapist"])
    caseload.for_therapist(session, world["therapist"])
    rules = [f.rule for f in session.exec(select(Flag).where(Flag.client_id == world["calm"].id))]
    assert rules == (["no_checkin"] if fires else [])


def test_acknowledge_needs_a_note_and_keeps_the_history(session, world):
    flag = session.exec(select(Flag)).one()
    with pytest.raises(InvalidInput, match="short note"):
        flags.acknowledge(session, world["therapist"], flag.id, "  ")
    with pytest.raises(AccessDenied):
        flags.acknowledge(session, world["other"], flag.id, "not mine")
    flags.acknowledge(session, world["therapist"], flag.id, "Called; safety plan reviewed")
    assert flag.acknowledged_by == world["therapist"].id
    history = flags.for_client(session, world["therapist"], world["urgent"].id)
    assert [f.ack_note for f in history] == ["Called; safety plan reviewed"]
    assert caseload.open_flags(session, world["therapist"]) == []


def test_another_therapists_client_is_refused(session, world):
    with pytest.raises(AccessDenied):
        flags.for_client(session, world["therapist"], world["elsewhere"].id)


def test_audit_chain_detects_alteration_and_removal(db_url, users, session):
    from companion.checkins import current

    therapist = users.therapist(name="t")
    client = users.client(therapist, name="c")
    session.commit()
    for _ in range(3):
        with session_scope() as s:
            current(s, actor(therapist), client.id, clinic_today())
    with session_scope() as s:
        assert audit.verify(s).ok and audit.verify(s).checked == 3
        s.exec(update(AuditEvent).where(AuditEvent.seq == 2).values(detail="edited"))
    with session_scope() as s:
        verdict = audit.verify(s)
    assert not verdict.ok and "row #2" in verdict.message and "altered" in verdict.message
    with session_scope() as s:
        s.exec(update(AuditEvent).where(AuditEvent.seq == 2).values(detail="check-in " +
                                                                   str(clinic_today())))
    with session_scope() as s:
        assert audit.verify(s).ok
        row = s.exec(select(AuditEvent).where(AuditEvent.seq == 3)).one()
        s.delete(row)
    with session_scope() as s:
        assert "missing" in audit.verify(s).message


def test_verify_audit_command(db_url, capsys):
    assert cli.main(["verify-audit"]) == 0
    assert "intact" in capsys.readouterr().out


def test_sealing_from_two_places_keeps_one_chain(db_url, users, session):
    therapist = users.therapist(name="t")
    client = users.client(therapist, name="c")
    session.commit()
    with session_scope() as a, session_scope() as b:
        audit.record(a, actor(therapist), "read", "checkin", client.id)
        audit.record(b, actor(therapist), "read", "craving", client.id)
    audit.seal(get_engine())
    with session_scope() as s:
        assert audit.verify(s).ok and audit.verify(s).checked == 2


def test_client_sees_who_viewed_their_records(session, world):
    from companion.checkins import current

    current(session, world["therapist"], world["calm"].id, clinic_today())
    frame = audit.views_of_me(session, actor(world["calm"]))
    assert frame[["Who", "Action", "What"]].to_dict("records") == [
        {"Who": world["therapist"].display_name, "Action": "viewed", "What": "checkin"}]
    with pytest.raises(AccessDenied):
        audit.views_of_me(session, world["therapist"])


def test_exported_audit_csv_carries_the_part2_notice(session, world):
    admin = actor(__import__("tests.conftest", fromlist=["People"]).People(session).admin())
    text = audit.as_csv(audit.events(session, admin))
    assert text.startswith("# This information has been disclosed to you from records "
                           "protected by federal confidentiality rules (42 CFR part 2)")
