"""Aftercare plan: versions, diffs, every review transition, alumni access and prompts, PDF."""
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import select

from companion import aftercare, people, pdf
from companion.core.db import session_scope
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, StaleEdit
from companion.models import AuditEvent, Enrolment, User
from companion.core.timeutil import clinic_today, utcnow
from tests.conftest import actor


@pytest.fixture
def cast(users):
    therapist = users.therapist(name="thera")
    return {"therapist": actor(therapist), "client": actor(users.client(therapist, name="me")),
            "other": actor(users.therapist(name="other")), "admin": actor(users.admin())}


def plan(**overrides):
    sections = aftercare.empty_sections()
    sections["warning_signs"] = "Skipping meals\nNot answering texts"
    sections["people"] = [{"name": "Sis", "relationship": "sister", "phone": "555-555-0142"}]
    sections["next_care"] = {"level": "Weekly outpatient", "provider": "Demo Clinic",
                             "when": "Tuesdays 6 pm"}
    return {**sections, **overrides}


def test_every_save_is_a_new_version_and_diffs_by_section(session, cast):
    me = cast["client"]
    aftercare.save(session, me, plan(), expected_version=0)
    aftercare.save(session, me, plan(warning_signs="Skipping meals\nStaying in bed"),
                   expected_version=1)
    versions = aftercare.history(session, me, me.id)
    assert [v.version for v in versions] == [2, 1]
    changes = aftercare.diff(versions[1].sections, versions[0].sections)
    assert changes == [("My warning signs", ["- Not answering texts", "+ Staying in bed"])]


def test_stale_save_is_refused(session, cast):
    aftercare.save(session, cast["client"], plan(), expected_version=0)
    with pytest.raises(StaleEdit):
        aftercare.save(session, cast["client"], plan(routine="Walk at 7"), expected_version=0)


def test_a_double_tapped_save_is_one_version_and_keeps_the_status(session, cast):
    me, therapist = cast["client"], cast["therapist"]
    first = aftercare.save(session, me, plan(), expected_version=0)
    assert aftercare.save(session, me, plan(), expected_version=0).id == first.id
    aftercare.submit(session, me)
    aftercare.decide(session, therapist, me.id, approve=True)
    row = aftercare.view(session, me, me.id).plan
    row.updated_at = utcnow() - timedelta(days=40)
    same = aftercare.save(session, me, plan(), expected_version=1)  # "still right for me"
    assert same.id == first.id
    view = aftercare.view(session, me, me.id)
    assert (view.status, view.plan.current_version) == ("approved", 1)
    assert view.plan.updated_at > utcnow() - timedelta(minutes=1)  # looked over: no prompt
    assert [v.version for v in aftercare.history(session, me, me.id)] == [1]


def test_a_stale_plan_names_the_sections_changed_there(session, cast):
    me = cast["client"]
    aftercare.save(session, me, plan(), expected_version=0)
    aftercare.save(session, me, plan(routine="Walk at 7", goals=[
        {"goal": "Run 5k", "target_date": "2027-03-31", "progress": "40"}]), expected_version=1)
    with pytest.raises(StaleEdit) as err:
        aftercare.save(session, me, plan(coping="Call Sis"), expected_version=1)
    assert err.value.changed == ["My daily routine", "Goals"]
    assert "since you opened it: “My daily routine” and “Goals” changed there. What you " \
           "typed is still here" in str(err.value)
    assert [v.version for v in aftercare.history(session, me, me.id)] == [2, 1]


def test_bad_fields_are_named(session, cast):
    with pytest.raises(FormErrors) as err:
        aftercare.save(session, cast["client"], plan(
            people=[{"name": "", "relationship": "", "phone": "not a phone"}],
            goals=[{"goal": "Run 5k", "target_date": "soon", "progress": "120"}],
            next_care={"level": "Moon base", "provider": "", "when": ""}))
    assert set(err.value.fields) == {"people", "people.0", "goals", "goals.0", "next_care"}


def test_review_cycle_and_every_refused_transition(session, cast):
    me, therapist = cast["client"], cast["therapist"]
    with pytest.raises(InvalidInput, match="Save your plan"):
        aftercare.submit(session, me)
    aftercare.save(session, me, plan())
    with pytest.raises(InvalidInput, match="isn't waiting"):
        aftercare.decide(session, therapist, me.id, approve=True)
    with pytest.raises(InvalidInput, match="Only a plan waiting"):
        aftercare.withdraw(session, me)
    assert aftercare.submit(session, me).status == "submitted"
    with pytest.raises(InvalidInput, match="can't be sent again"):
        aftercare.submit(session, me)
    with pytest.raises(InvalidInput, match="Withdraw it first"):
        aftercare.save(session, me, plan())
    with pytest.raises(InvalidInput, match="Say what to change"):
        aftercare.decide(session, therapist, me.id, approve=False)
    aftercare.comment(session, therapist, me.id, "people", "Add your sponsor's number?")
    assert aftercare.decide(session, therapist, me.id, approve=False).status == (
        "changes_requested")
    view = aftercare.view(session, me, me.id)
    assert [(c.section, c.text) for c in view.comments] == [("people",
                                                             "Add your sponsor's number?")]
    aftercare.save(session, me, plan(people=[
        {"name": "Sis", "relationship": "sister", "phone": "555-555-0142"},
        {"name": "Sponsor", "relationship": "sponsor", "phone": "555-555-0167"}]))
    assert aftercare.view(session, me, me.id).status == "changes_requested"
    aftercare.submit(session, me)
    approved = aftercare.decide(session, therapist, me.id, approve=True, note="Well done")
    assert (approved.status, approved.approved_version) == ("approved", 2)
    with pytest.raises(InvalidInput):
        aftercare.submit(session, me)
    aftercare.save(session, me, plan(routine="Walk at 7"))
    assert aftercare.view(session, me, me.id).status == "updated"
    aftercare.submit(session, me)
    assert aftercare.withdraw(session, me).status == "draft"
    events = [e.event for e in aftercare.events(session, me, me.id)]
    assert events == ["withdrawn", "submitted", "approved", "submitted", "changes_requested",
                      "submitted"]


def test_only_the_reviewer_reviews(session, cast):
    me = cast["client"]
    aftercare.save(session, me, plan())
    aftercare.submit(session, me)
    for who in (cast["other"], cast["admin"], me):
        with pytest.raises(AccessDenied):
            aftercare.decide(session, who, me.id, approve=True)
    with pytest.raises(AccessDenied):
        aftercare.view(session, cast["other"], me.id)


def test_waiting_for_review_list(session, cast):
    aftercare.save(session, cast["client"], plan())
    aftercare.submit(session, cast["client"])
    waiting = aftercare.waiting_for(session, cast["therapist"])
    assert [name for _, name in waiting] == [cast["client"].display_name]
    assert aftercare.waiting_for(session, cast["other"]) == []


def test_a_waiting_review_moves_with_the_client(db_url, session, cast):
    """Reassigned while their plan waits: the new therapist sees it and decides; the former
    therapist no longer sees it, and is refused (the refusal audited)."""
    me, former, new = cast["client"], cast["therapist"], cast["other"]
    aftercare.save(session, me, plan())
    aftercare.submit(session, me)
    people.assign(session, cast["admin"], me.id, therapist_id=new.id)
    session.commit()
    assert [name for _, name in aftercare.waiting_for(session, new)] == [me.display_name]
    assert aftercare.waiting_for(session, former) == []
    for act in (lambda s: aftercare.comment(s, former, me.id, "people", "Add your sponsor?"),
                lambda s: aftercare.decide(s, former, me.id, approve=True)):
        with pytest.raises(AccessDenied):
            with session_scope() as s:
                act(s)
    with session_scope() as s:
        assert aftercare.view(s, me, me.id).comments == []
        assert s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.actor_id == former.id, AuditEvent.action == "denied write")).one() == 2
        assert aftercare.decide(s, new, me.id, approve=True).status == "approved"
    assert aftercare.waiting_for(session, new) == []


def test_an_alumnus_waiting_review_follows_the_coordinator(session, cast, users):
    me, therapist = cast["client"], cast["therapist"]
    people.discharge(session, cast["admin"], me.id)
    aftercare.set_coordinator(session, cast["admin"], cast["other"].id)
    alum = actor(session.get(User, me.id))
    aftercare.save(session, alum, plan())
    aftercare.submit(session, alum)
    assert [p.client_id for p, _ in aftercare.waiting_for(session, cast["other"])] == [me.id]
    assert aftercare.waiting_for(session, therapist) == []
    successor = actor(users.therapist(name="successor"))
    aftercare.set_coordinator(session, cast["admin"], successor.id)
    assert [p.client_id for p, _ in aftercare.waiting_for(session, successor)] == [me.id]
    assert aftercare.waiting_for(session, cast["other"]) == []
    with pytest.raises(AccessDenied):
        aftercare.decide(session, cast["other"], me.id, approve=True)
    aftercare.set_coordinator(session, cast["admin"], None)  # back to their own therapist
    assert [p.client_id for p, _ in aftercare.waiting_for(session, therapist)] == [me.id]


def test_alumni_keep_their_plan_and_can_go_to_the_coordinator(session, cast):
    me = cast["client"]
    aftercare.save(session, me, plan())
    people.discharge(session, cast["admin"], me.id)
    alum = actor(session.get(__import__("companion.models", fromlist=["User"]).User, me.id))
    assert aftercare.view(session, alum, me.id).sections["warning_signs"].startswith("Skipping")
    aftercare.set_coordinator(session, cast["admin"], cast["other"].id)
    assert aftercare.submit(session, alum).submitted_to == cast["other"].id
    aftercare.comment(session, cast["other"], me.id, "goals", "Add a target date")
    aftercare.decide(session, cast["other"], me.id, approve=False)
    with pytest.raises(AccessDenied):  # the coordinator sees the plan, not the check-ins
        from companion.checkins import current
        current(session, cast["other"], me.id, clinic_today())


@pytest.mark.parametrize("days_since_discharge,due", [(29, False), (30, True), (59, True),
                                                      (61, True), (200, True)])
def test_alumni_review_prompts(session, cast, days_since_discharge, due):
    me = cast["client"]
    people.discharge(session, cast["admin"], me.id)
    session.get(Enrolment, me.id).discharged_at = utcnow() - timedelta(days=days_since_discharge)
    from companion.models import User
    alum = actor(session.get(User, me.id))
    aftercare.save(session, alum, plan())
    plan_row = aftercare.view(session, alum, me.id).plan
    plan_row.updated_at = utcnow() - timedelta(days=days_since_discharge)  # saved at discharge
    assert (aftercare.review_due(session, alum) is not None) is due
    plan_row.updated_at = utcnow()
    assert aftercare.review_due(session, alum) is None


def test_pdf_has_the_plan_and_the_crisis_lines(session, cast):
    version = aftercare.save(session, cast["client"], plan())
    data = pdf.aftercare_pdf("Avery Demo", version.sections, "approved", "Nov 25")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "My aftercare plan — Avery Demo" in text and "Sis · sister · 555-555-0142" in text
    assert "988" in text and "1-800-662-4357" in text and "741741" in text
