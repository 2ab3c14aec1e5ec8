"""Group pages: the schedule (admins edit it; therapists read it and change sessions they
lead), a client's sessions and RSVPs, the home card, attendance with its "we missed you" note,
and the pre-group view."""
from datetime import date, time, timedelta

import pytest
from sqlmodel import delete, select

from companion import groups
from companion.actors import Actor
from companion.checkins import record_checkin
from companion.models import Flag, GroupAttendance, GroupException, GroupRsvp, GroupSeries
from companion.core.timeutil import clinic_today
from tests.app.conftest import new_app, sign_in, sources, texts
from tests.support.entries import answered


@pytest.fixture
def clinic(users, session):
    lead = users.therapist(name="thera")
    robin = users.client(lead, name="robin")              # morning / north
    other = users.client(users.therapist(name="other"), name="sky")  # also morning / north
    admin = users.admin(name="boss")
    session.commit()
    return {"lead": lead, "robin": robin, "sky": other, "admin": admin}


def _daily(session, who, first_day, start=time(10), end=time(11), title="Morning group"):
    """A group every day, so the page has something whatever day the test runs."""
    series = groups.schedule_series(session, Actor.of(who["admin"]), groups.SeriesInput(
        title=title, topic="Relapse prevention", track="morning", location="north",
        facilitator_id=who["lead"].id, capacity=10, first_day=first_day, start=start, end=end,
        weekdays=list(range(7))))
    session.commit()
    return series


def _schedule_page(at):
    return at.switch_page("pages/admin/groups.py").run()


def _fill_new_group(at, **values):
    at.text_input(key="group-new-title").input(values.get("title", "Evening process group"))
    at.selectbox(key="group-new-facilitator").set_value(values["facilitator"])
    at.date_input(key="group-new-first").set_value(values.get("first", clinic_today()))
    at.time_input(key="group-new-start").set_value(values.get("start", time(18)))
    at.time_input(key="group-new-end").set_value(values.get("end", time(19, 30)))
    at.multiselect(key="group-new-days").set_value(values.get("days", [0, 2]))
    next(b for b in at.button if b.label == "Schedule group").click().run()
    return at


def test_admin_schedules_a_weekly_group(app, clinic, session):
    sign_in(app, "boss")
    at = _fill_new_group(_schedule_page(app), facilitator=clinic["lead"].id)
    assert not at.exception
    assert ("Scheduled: Evening process group, Mondays and Wednesdays, 6 PM–7:30 PM"
            in texts(at).replace("\\", ""))
    series = session.exec(select(GroupSeries)).one()
    assert (series.rrule, series.facilitator_id, series.duration_minutes) == (
        "FREQ=WEEKLY;BYDAY=MO,WE", clinic["lead"].id, 90)
    assert "Evening process group" in set(at.dataframe[0].value["Group"])


def test_bad_schedule_says_why_keeps_the_input_and_saves_nothing(app, clinic, session):
    sign_in(app, "boss")
    at = _fill_new_group(_schedule_page(app), facilitator=clinic["lead"].id,
                         title="Too late", end=time(17))
    page = texts(at)
    assert "end after it starts" in page and "nothing was saved" in page
    assert at.text_input(key="group-new-title").value == "Too late"
    at.time_input(key="group-new-end").set_value(time(19))
    at.date_input(key="group-new-first").set_value(date(2031, 3, 4))   # a Tuesday
    at.date_input(key="group-new-until").set_value(date(2031, 3, 8))
    at.multiselect(key="group-new-days").set_value([0])               # Mondays only
    next(b for b in at.button if b.label == "Schedule group").click().run()
    assert "this schedule has no sessions" in texts(at)
    assert session.exec(select(GroupSeries)).all() == []


def test_admin_cancels_one_session_and_the_client_sees_the_note(app, clinic, session):
    series = _daily(session, clinic, clinic_today() + timedelta(days=1))
    sign_in(app, "boss")
    at = _schedule_page(app)
    at.selectbox(key="group-pick").set_value(series.id).run()
    first = at.selectbox(key=f"group-one-{series.id}-pick").value
    at.text_input(key=f"group-one-{series.id}-note-{first}").input("Snow day — stay safe")
    at.button(key=f"group-one-{series.id}-cancel").click().run()
    assert "Cancelled; clients see your note" in texts(at)
    client = new_app()
    sign_in(client, "robin")
    page = texts(client.switch_page("pages/client/groups.py").run())
    assert "Cancelled — Snow day — stay safe" in page.replace("\\", "")


def test_client_sees_sessions_answers_and_the_home_card(app, clinic, session):
    series = _daily(session, clinic, clinic_today() + timedelta(days=1))
    sign_in(app, "robin")
    assert "Next group:" in texts(app) and "Morning group" in texts(app)
    at = app.switch_page("pages/client/groups.py").run()
    assert not at.exception
    page = texts(at)
    assert "Week 1 of your program" in page and "of 9 hours this week" in page
    key = groups.upcoming_for_client(session, Actor.of(clinic["robin"]))[0].occurrence.key
    at.button(key=f"go-{key}").click().run()
    assert "See you there" in texts(at)
    assert session.exec(select(GroupRsvp.status)).one() == "going"
    at.button(key=f"no-{key}").click().run()
    at.text_input(key=f"reason-{key}").input("Dentist at ten")
    at.button(key=f"why-{key}").click().run()
    session.expire_all()
    answer = session.exec(select(GroupRsvp)).one()
    assert (answer.status, answer.reason, answer.series_id) == ("not_going", "Dentist at ten",
                                                                series.id)
    assert "You can't make this one — Dentist at ten" in texts(at)


def test_client_sets_a_daily_reminder(app, clinic, session):
    sign_in(app, "robin")
    at = app.switch_page("pages/client/groups.py").run()
    at.time_input(key="reminder-at").set_value(time(7, 45))
    at.button(key="reminder-save").click().run()
    assert "Daily reminder set for 7:45 AM" in texts(at)
    assert groups.reminder(session, Actor.of(clinic["robin"])) == time(7, 45)


def test_facilitator_takes_attendance_and_an_absence_is_missed_kindly(app, clinic, session):
    _daily(session, clinic, clinic_today() - timedelta(days=3), start=time(0, 15),
           end=time(23, 45))
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/groups.py").run()
    assert not at.exception
    chosen = at.selectbox(key="groups-Attendance-session").value
    marks = {c.id: f"mark-{chosen}-{c.id}" for c in (clinic["robin"], clinic["sky"])}
    at.button(key="attendance-all").click().run()
    at.segmented_control(key=marks[clinic["sky"].id]).set_value("absent").run()
    at.button(key="attendance-save").click().run()
    assert "Saved 2 changes. 1 unexcused absence flagged" in texts(at)
    statuses = {a.client_id: a.status for a in session.exec(select(GroupAttendance))}
    assert statuses == {clinic["robin"].id: "present", clinic["sky"].id: "absent"}
    assert [f.client_id for f in session.exec(select(Flag))] == [clinic["sky"].id]
    sky = new_app()
    sign_in(sky, "sky")
    assert "We missed you at Morning group" in texts(sky)


def test_attendance_shows_unsaved_marks_apart_from_saved_ones(app, clinic, session):
    _daily(session, clinic, clinic_today() - timedelta(days=3), start=time(0, 15),
           end=time(23, 45))
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/groups.py").run()
    chosen = at.selectbox(key="groups-Attendance-session").value
    page = texts(at)
    assert "no RSVP yet" in page and "hasn't answered" not in page
    assert page.count("Not marked yet.") == 2
    at.segmented_control(key=f"mark-{chosen}-{clinic['sky'].id}").set_value("absent").run()
    page = texts(at)
    assert ":orange-badge[Not saved yet] Absent" in page
    assert "1 mark not saved yet: tap Save attendance." in page
    at.button(key="attendance-save").click().run()
    page = texts(at)
    assert "Not saved yet" not in page and "not saved yet" not in page
    assert f":green-badge[Saved] Absent · by {clinic['lead'].display_name}," in page
    at.segmented_control(key=f"mark-{chosen}-{clinic['sky'].id}").set_value("excused").run()
    assert ":orange-badge[Not saved yet] Excused (saved: Absent)" in texts(at)


def test_pregroup_view_shows_the_week_and_what_they_bring(app, clinic, session):
    _daily(session, clinic, clinic_today(), start=time(23, 30), end=time(23, 45))
    record_checkin(session, Actor.of(clinic["robin"]),
                   answered(mood=6, craving=3, bring_to_group="**My new job**"))
    record_checkin(session, Actor.of(clinic["sky"]),
                   answered(mood=2, craving=9, bring_to_group="Family visit"))
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/groups.py").run()
    at.segmented_control(key="groups-view").set_value("Before group").run()
    assert not at.exception
    page = texts(at)
    assert r"\*\*My new job\*\*" in sources(at) and "Family visit" in page
    assert "Mood · latest 6/10" in page and "Not on your caseload" in page
    assert "latest 2/10" not in page and "Strong craving" not in page


def test_therapists_see_the_schedule_and_change_only_sessions_they_lead(app, clinic, session):
    """No editor for therapists (admins schedule and assign who leads); the facilitator an
    admin assigned cancels one of their sessions with a note."""
    series = _daily(session, clinic, clinic_today() + timedelta(days=1))
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/groups.py").run()
    at.segmented_control(key="groups-view").set_value("Schedule").run()
    assert not at.exception and "The next two weeks" in texts(at)
    assert "Morning group" in set(at.dataframe[0].value["Group"])
    assert not any(b.label == "Schedule group" for b in at.button)
    assert not [e for e in at.expander if "Schedule a new group" in e.label]
    assert not [s for s in at.selectbox if s.key == "group-pick"]
    assert at.selectbox(key="group-mine-pick").value == series.id
    first = at.selectbox(key=f"group-one-{series.id}-pick").value
    at.button(key=f"group-one-{series.id}-cancel").click().run()
    assert "Please add a short note for clients" in texts(at)
    at.text_input(key=f"group-one-{series.id}-note-{first}").input("I'm away — see you soon")
    at.button(key=f"group-one-{series.id}-cancel").click().run()
    assert "Cancelled; clients see your note" in texts(at)
    session.expire_all()
    assert [e.note for e in session.exec(select(GroupException))] == ["I'm away — see you soon"]


def test_a_colleague_sees_the_schedule_but_changes_nothing(app, clinic, session):
    _daily(session, clinic, clinic_today() + timedelta(days=1))
    sign_in(app, "other")
    at = app.switch_page("pages/therapist/groups.py").run()
    at.segmented_control(key="groups-view").set_value("Schedule").run()
    assert not at.exception and "Morning group" in set(at.dataframe[0].value["Group"])
    assert "You don't lead any groups yet" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("group-")]


def test_admin_confirms_a_facilitator_no_admin_assigned(app, clinic, session):
    """A group a therapist made for themself before admins alone scheduled: its facilitator
    sees only their own clients until an admin confirms them."""
    series = _daily(session, clinic, clinic_today() + timedelta(days=1))
    series.facilitator_assigned_by = series.facilitator_assigned_at = None
    series.created_by = clinic["lead"].id
    session.add(series)
    session.commit()
    sign_in(app, "boss")
    at = _schedule_page(app)
    at.selectbox(key="group-pick").set_value(series.id).run()
    assert "No admin has confirmed" in texts(at)
    at.button(key=f"group-confirm-{series.id}").click().run()
    assert not at.exception and "No admin has confirmed" not in texts(at)
    session.expire_all()
    assert session.get(GroupSeries, series.id).facilitator_assigned_by == clinic["admin"].id


def test_admin_deletes_a_group_only_while_nobody_answered(app, clinic, session):
    series = _daily(session, clinic, clinic_today() + timedelta(days=1))
    first = groups.upcoming_for_client(session, Actor.of(clinic["robin"]))[0].occurrence
    groups.rsvp(session, Actor.of(clinic["robin"]), series.id, first.occurrence_at, True)
    session.commit()
    sign_in(app, "boss")
    at = _schedule_page(app)
    at.selectbox(key="group-pick").set_value(series.id).run()
    at.button(key=f"group-delete-{series.id}").click().run()
    assert "Every session of it goes from the schedule" in texts(at)   # it asks first
    at.button(key=f"group-delete-{series.id}-yes").click().run()
    assert "Give it a last day instead" in texts(at)
    session.exec(delete(GroupRsvp))
    session.commit()
    at.button(key=f"group-delete-{series.id}").click().run()
    at.button(key=f"group-delete-{series.id}-cancel").click().run()
    session.expire_all()
    assert session.exec(select(GroupSeries)).all() != []   # cancelled: nothing happened
    at.button(key=f"group-delete-{series.id}").click().run()
    at.button(key=f"group-delete-{series.id}-yes").click().run()
    assert not at.exception and "Change a group" not in texts(at)
    session.expire_all()
    assert session.exec(select(GroupSeries)).all() == []


def test_client_subscribes_sees_the_address_once_and_can_stop_it(app, clinic, session):
    import hashlib

    from companion import calendar_feed
    from companion.models import AuditEvent, CalendarSubscription

    sign_in(app, "robin")
    at = app.switch_page("pages/client/groups.py").run()
    at.button(key="feed-make").click().run()
    assert not at.exception
    (address,) = [c.value for c in at.code if "/calendar/" in c.value]
    token = address.rsplit("/calendar/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43 and "robin" not in address
    session.expire_all()
    row = session.get(CalendarSubscription, clinic["robin"].id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert at.get("image")  # the QR code
    at.button(key="feed-done").click().run()
    assert not [c for c in at.code if "/calendar/" in c.value]   # shown once
    assert "hasn't picked up the address yet" in texts(at)
    calendar_feed.fetch(session, token)
    session.commit()
    at.run()
    assert "Your calendar last updated just now" in texts(at)
    at.toggle(key="feed-show-site").set_value(True).run()
    session.expire_all()
    assert session.get(CalendarSubscription, clinic["robin"].id).show_site is True
    at.button(key="feed-stop").click().run()
    session.expire_all()
    assert calendar_feed.fetch(session, token) is None
    assert "Subscription stopped" in texts(at)
    assert [e.detail for e in session.exec(select(AuditEvent).where(
        AuditEvent.record_kind == "calendar_feed"))] == [
        "calendar feed address made", "calendar feed stopped by the account holder"]


def test_admin_stops_a_clients_calendar_subscription(app, clinic, session):
    from companion import calendar_feed

    token = calendar_feed.subscribe(session, Actor.of(clinic["robin"]))
    session.commit()
    sign_in(app, "boss")
    at = app.switch_page("pages/admin/people.py").run()
    account = next(s for s in at.selectbox if s.label == "Account")
    account.set_value(clinic["robin"].id).run()
    assert "Calendar subscription: on (not fetched yet)." in texts(at)
    next(b for b in at.button if b.label == "Stop their calendar subscription").click().run()
    assert not at.exception and "Stopped: the address no longer works" in texts(at)
    session.expire_all()
    assert calendar_feed.fetch(session, token) is None


def test_before_group_opens_the_next_session_where_my_clients_are_expected(app, clinic,
                                                                           session):
    """Issue 19 item 8: tonight's group with my clients comes before tomorrow's one I lead."""
    from companion.models import User

    other = session.exec(select(User).where(User.username == "other")).one()
    admin = Actor.of(clinic["admin"])
    groups.schedule_series(session, admin, groups.SeriesInput(
        title="Led tomorrow", topic="Skills", track="evening", location="river",
        facilitator_id=clinic["lead"].id, capacity=10,
        first_day=clinic_today() + timedelta(days=1), start=time(9), end=time(10),
        weekdays=list(range(7))))
    groups.schedule_series(session, admin, groups.SeriesInput(
        title="Tonight with robin", topic="Process", track="morning", location="north",
        facilitator_id=other.id, capacity=10, first_day=clinic_today(), start=time(23, 30),
        end=time(23, 45), weekdays=list(range(7))))
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/groups.py").run()
    at.segmented_control(key="groups-view").set_value("Before group").run()
    assert not at.exception
    chosen = at.selectbox(key="groups-Before group-session")
    assert "Tonight with robin" in chosen.format_func(chosen.value)
    assert "The next session where your clients are expected" in texts(at)
    assert "(1 of your clients)" not in texts(at) and "(1 of your client)" in texts(at)


def test_alumni_keep_managing_a_kept_feed_and_their_check_in_reminder(app, clinic, session):
    """Discharged with the feed kept: the alumna's menu has "My calendar", where the feed
    shows as on and can be stopped, and the daily check-in reminder can still be set."""
    from companion import calendar_feed, people
    from companion.models import CheckInReminder

    token = calendar_feed.subscribe(session, Actor.of(clinic["robin"]))
    people.discharge(session, Actor.of(clinic["admin"]), clinic["robin"].id, keep_calendar=True)
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/groups.py").run()
    assert not at.exception
    assert "My calendar" in [t.value for t in at.title]
    assert "The next two weeks" not in texts(at)
    at.time_input(key="reminder-at").set_value(time(7, 30))
    at.button(key="reminder-save").click().run()
    session.expire_all()
    assert session.get(CheckInReminder, clinic["robin"].id).minute_of_day == 7 * 60 + 30
    at.button(key="feed-stop").click().run()
    assert not at.exception and "Subscription stopped" in texts(at)
    session.expire_all()
    assert calendar_feed.fetch(session, token) is None
