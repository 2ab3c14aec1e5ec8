"""Flag tiers (issue 15 item 7): every rule's tier, the same-day escalation of a use with a low
mood (urgent with a high craving), and the order lists and the caseload sort in."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from companion import caseload, flags, measures
from companion.checkins import record_checkin
from companion.cravings import CravingEntry, log_craving
from companion.core.timeutil import clinic_today, utcnow
from companion.models import CheckIn, Enrolment, Flag
from tests.conftest import actor
from tests.support.entries import answered


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist(name="thera"), name="me"))


def _tiers(session) -> dict[str, str]:
    session.flush()
    return {f.rule: f.tier for f in session.exec(select(Flag).order_by(Flag.id))}


def _history(session, me, days, used="no", mood=6):
    for offset in range(1, days + 1):
        session.add(CheckIn(client_id=me.id, day=clinic_today() - timedelta(days=offset),
                            mood=mood, craving=0, stress=0, sleep_hours=7, sleep_quality=3,
                            used=used))
    session.flush()


def phq(values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def test_every_rule_has_exactly_one_tier_and_a_label():
    rules = {v for k, v in vars(flags.Rule).items() if not k.startswith("_")}
    assert set(flags.RULE_TIERS) == rules == set(flags.RULE_LABELS)
    assert [t.rank for t in (flags.URGENT, flags.SAME_DAY, flags.ROUTINE)] == [0, 1, 2]
    shown = [(t.word, t.icon) for t in flags.TIERS.values()]
    assert len(set(shown)) == 3 and all(word and icon for word, icon in shown)


def test_the_old_urgent_argument_is_honoured_and_read_from_the_tier():
    assert Flag(client_id=1, rule="self_harm", reason="r", urgent=True).tier == "urgent"
    assert Flag(client_id=1, rule="x", reason="r", tier="same_day").urgent is False


# --- each rule's tier, through the services that raise it -----------------------------------

def test_item9_above_zero_is_urgent(session, me):
    measures.submit(session, me, "phq9", phq([0] * 8 + [1]))
    assert _tiers(session) == {"self_harm": "urgent"}


def test_severe_score_is_same_day_and_worsening_routine(session, me):
    measures.submit(session, me, "phq9", phq([1] * 8 + [0]))            # 8
    measures.submit(session, me, "phq9", phq([3] * 7 + [0, 0]))         # 21: severe, +13
    assert _tiers(session) == {"severe_score": "same_day", "worsening": "routine"}


@pytest.mark.parametrize("log", ["checkin", "craving"])
def test_a_craving_of_8_is_same_day(session, me, log):
    if log == "checkin":
        record_checkin(session, me, answered(craving=8))
    else:
        log_craving(session, me, CravingEntry(intensity=8))
    assert _tiers(session) == {"craving_high": "same_day"}


def test_a_use_with_no_use_free_run_before_it_is_routine(session, me):
    _history(session, me, 4, used="yes")
    saved = record_checkin(session, me, answered(used="yes"))
    assert _tiers(session) == {"use_reported": "routine"}
    assert "use-free" not in saved.flags[0].reason


@pytest.mark.parametrize("log", ["checkin", "craving"])
def test_a_use_after_a_use_free_run_is_same_day(session, me, log):
    _history(session, me, flags.USE_FREE_RUN_DAYS)
    if log == "checkin":
        saved = record_checkin(session, me, answered(used="yes"))
    else:
        saved = log_craving(session, me, CravingEntry(intensity=5, outcome="used"))
    assert _tiers(session) == {"use_reported": "same_day"}
    assert "after 3 use-free check-in days" in saved.flags[0].reason


def test_a_use_after_a_run_one_day_short_stays_routine(session, me):
    _history(session, me, flags.USE_FREE_RUN_DAYS - 1)
    record_checkin(session, me, answered(used="yes"))
    assert _tiers(session) == {"use_reported": "routine"}


def test_a_mood_drop_is_routine(session, me):
    _history(session, me, 4, mood=8)
    record_checkin(session, me, answered(mood=5))
    assert _tiers(session) == {"mood_drop": "routine"}


def test_no_checkin_and_a_missed_group_are_routine(session, me):
    enrolment = session.get(Enrolment, me.id)
    enrolment.enrolled_at = utcnow() - timedelta(days=10)
    caseload.for_therapist(session, actor(_therapist_of(session, me)))
    flags.for_absence(session, SimpleNamespace(status="absent", client_id=me.id, id=7), [7],
                      "Process group", date(2026, 3, 2))
    assert _tiers(session) == {"no_checkin": "routine", "absence": "routine"}


def _therapist_of(session, me):
    from companion.models import User

    return session.get(User, session.get(Enrolment, me.id).therapist_id)


# --- the escalation ---------------------------------------------------------------------------

def test_craving_10_with_a_use_and_mood_2_is_urgent_not_like_a_craving_of_8(session, me):
    """Both read as the same orange flag before tiers."""
    record_checkin(session, me, answered(craving=10, used="yes", mood=2))
    assert _tiers(session) == {"craving_high": "same_day", "use_reported": "routine",
                               "combined_risk": "urgent"}
    combined = session.exec(select(Flag).where(Flag.rule == "combined_risk")).one()
    assert "mood 2/10" in combined.reason and "craving of 10/10" in combined.reason


def test_a_use_with_a_low_mood_and_no_high_craving_is_same_day(session, me):
    record_checkin(session, me, answered(craving=3, used="yes", mood=flags.MOOD_LOW))
    assert _tiers(session)["combined_risk"] == "same_day"


@pytest.mark.parametrize("entry", [answered(craving=9, used="yes", mood=7),
                                   answered(craving=9, used="no", mood=2),
                                   answered(craving=2, used="prefer_not", mood=2)])
def test_no_escalation_without_both_a_use_and_a_low_mood(session, me, entry):
    record_checkin(session, me, entry)
    assert "combined_risk" not in _tiers(session)


def test_a_mood_drop_counts_as_low_mood_for_the_escalation(session, me):
    _history(session, me, 4, mood=9)
    record_checkin(session, me, answered(craving=2, used="yes", mood=6))
    assert _tiers(session)["combined_risk"] == "same_day"


def test_a_craving_logged_later_the_same_day_escalates_to_urgent_once(session, me):
    record_checkin(session, me, answered(craving=3, used="yes", mood=2))
    log_craving(session, me, CravingEntry(intensity=9))
    log_craving(session, me, CravingEntry(intensity=10))
    record_checkin(session, me, answered(craving=3, used="yes", mood=2, note="edited"),
                   expected_version=1)
    session.flush()
    combined = [f.tier for f in session.exec(select(Flag).where(Flag.rule == "combined_risk")
                                             .order_by(Flag.id))]
    assert combined == ["same_day", "urgent"]  # the earlier one stays; no duplicates


# --- order ------------------------------------------------------------------------------------

def _flag(session, client, rule, tier, hours_ago, acked=False):
    flag = Flag(client_id=client.id, rule=rule, reason=f"{tier} {hours_ago}h", tier=tier,
                raised_at=utcnow() - timedelta(hours=hours_ago))
    if acked:
        flag.acknowledged_at, flag.ack_note = utcnow(), "done"
    session.add(flag)
    return flag


def test_lists_sort_by_tier_then_the_longest_waiting_first(session, users):
    therapist = users.therapist()
    a, b = users.client(therapist, name="a"), users.client(therapist, name="b")
    _flag(session, a, "no_checkin", "routine", 50)
    _flag(session, b, "craving_high", "same_day", 2)
    _flag(session, a, "self_harm", "urgent", 1)
    _flag(session, b, "self_harm", "urgent", 3)
    _flag(session, a, "craving_high", "same_day", 9)
    _flag(session, a, "self_harm", "urgent", 30, acked=True)
    _flag(session, a, "mood_drop", "routine", 60, acked=True)
    session.flush()
    queue = [f.reason for f, _ in caseload.open_flags(session, actor(therapist))]
    assert queue == ["urgent 3h", "urgent 1h", "same_day 9h", "same_day 2h", "routine 50h"]
    history = [f.reason for f in flags.for_client(session, actor(therapist), a.id)]
    assert history == ["urgent 1h", "same_day 9h", "routine 50h",  # open, by tier
                       "urgent 30h", "routine 60h"]                # then handled


def test_caseload_sorts_by_flag_tier_then_time_then_need(session, users):
    therapist = users.therapist()
    names = ["routine_old", "same_day_new", "same_day_old", "urgent_new", "needy", "calm"]
    people = {n: users.client(therapist, name=n) for n in names}
    for n in names:
        session.get(Enrolment, people[n].id).enrolled_at = utcnow() - timedelta(days=30)
        for d in range(7):
            session.add(CheckIn(client_id=people[n].id, day=clinic_today() - timedelta(days=d),
                                mood=6, craving=9 if n == "needy" else 1, stress=3,
                                sleep_hours=7, sleep_quality=3,
                                used="yes" if n == "needy" else "no"))
    _flag(session, people["routine_old"], "no_checkin", "routine", 90)
    _flag(session, people["same_day_new"], "craving_high", "same_day", 1)
    _flag(session, people["same_day_new"], "no_checkin", "routine", 200)  # older, lower tier
    _flag(session, people["same_day_old"], "craving_high", "same_day", 20)
    _flag(session, people["urgent_new"], "self_harm", "urgent", 0)
    session.flush()
    frame = caseload.for_therapist(session, actor(therapist))
    assert [n.split()[0] for n in frame["Client"]] == [
        people[n].display_name.split()[0] for n in
        ("urgent_new", "same_day_old", "same_day_new", "routine_old", "needy", "calm")]
    tiers = dict(zip(frame["Client"], frame["Flag tier"]))
    assert tiers[people["urgent_new"].display_name] == "🚨 Urgent"
    assert tiers[people["same_day_new"].display_name] == "⏰ Same day"
    assert tiers[people["calm"].display_name] == ""
    assert frame.set_index("Client").loc[people["urgent_new"].display_name, "Urgent"] == 1


# --- drawing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("tier,shown", [("urgent", ":red[🚨 **Urgent**]"),
                                        ("same_day", ":orange[⏰ **Same day**]"),
                                        ("routine", ":blue[📋 **Routine**]")])
def test_each_tier_is_drawn_by_word_and_icon_as_well_as_colour(tier, shown):
    from companion.ui.flags import flag_markdown, tier_badge_markdown

    flag = Flag(client_id=1, rule="absence", reason="Missed *Process* group", tier=tier,
                raised_at=utcnow())
    assert tier_badge_markdown(flag) == shown
    line = flag_markdown(flag, "Robin [x](http://e.test)")
    assert line.startswith(shown) and "Missed group" in line
    assert r"\*Process\*" in line and r"\[x\](http" in line  # stored text stays text


def test_item9_blank_is_same_day_below_a_positive_answer(session, me):
    measures.submit(session, me, "phq9", {**phq([0] * 8), "9": None})
    assert _tiers(session) == {"item9_unanswered": "same_day"}
    assert flags.SAME_DAY.rank > flags.URGENT.rank
