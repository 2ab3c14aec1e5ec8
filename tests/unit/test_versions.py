"""The versioned-record helper: next version kept beside the earlier ones, a stale form
refused naming what changed, an identical resubmission (a double-tapped Save) a no-op, and
two parallel saves of one version number settled by the database."""
import threading

import pytest
from sqlmodel import select

from companion.core import db, versions
from companion.core.errors import InvalidInput, StaleEdit
from companion.models import AftercarePlan, AftercareVersion, SafetyPlan
from tests.conftest import actor

PLANS = versions.Versioned(
    SafetyPlan, lambda session, row: {"Reasons": row.sections.get("reasons", ""),
                                      "Coping": row.sections.get("coping", "")},
    stale="Saved elsewhere since you opened it{changed}. Still here.",
    parallel="Just saved elsewhere{changed}. Still here.",
    blank={"Reasons": "", "Coping": ""})


@pytest.fixture
def me(users, session):
    client = actor(users.client(users.therapist()))
    session.commit()  # the threads below need the database unlocked
    return client


def _save(session, client_id, expected, reasons="", coping="", kind=PLANS, barrier=None):
    def new_row(number):
        if barrier is not None:
            barrier.wait()  # both parallel saves have read the same current version
        return SafetyPlan(client_id=client_id, version=number,
                          sections={"reasons": reasons, "coping": coping})

    return versions.save(session, kind, {"client_id": client_id},
                         {"Reasons": reasons, "Coping": coping},
                         expected_version=expected, new_row=new_row)


def _rows(session, client_id):
    session.expire_all()
    return [(r.version, r.is_current, r.sections["reasons"]) for r in
            versions.history(session, PLANS, {"client_id": client_id})]


def test_each_save_is_the_next_version_and_the_earlier_ones_stay(session, me):
    first = _save(session, me.id, 0, "My kids")
    second = _save(session, me.id, 1, "My kids and my dog")
    assert (first.created, second.created) == (True, True)
    assert (first.row.version, second.row.version) == (1, 2)
    assert _rows(session, me.id) == [(2, True, "My kids and my dog"), (1, False, "My kids")]
    assert versions.current(session, PLANS, {"client_id": me.id}).id == second.row.id
    assert versions.version(session, PLANS, {"client_id": me.id}, 1).id == first.row.id
    assert versions.current(session, PLANS, {"client_id": me.id + 1}) is None


def test_an_identical_resubmission_is_a_no_op(session, me):
    first = _save(session, me.id, 0, "My kids")
    again = _save(session, me.id, 0, "My kids")   # the double tap: one version behind
    assert (again.created, again.row.id) == (False, first.row.id)
    same = _save(session, me.id, 1, "My kids")    # nothing changed, form up to date
    assert (same.created, same.row.id) == (False, first.row.id)
    assert _rows(session, me.id) == [(1, True, "My kids")]


def test_a_stale_edit_is_refused_naming_what_changed_and_writes_nothing(session, me):
    _save(session, me.id, 0, "My kids", "Walk")
    _save(session, me.id, 1, "My kids and my dog", "Call Sis")   # from another screen
    with pytest.raises(StaleEdit) as err:
        _save(session, me.id, 1, "My kids", "Walk around the block")
    assert isinstance(err.value, InvalidInput)
    assert err.value.changed == ["Reasons", "Coping"]
    assert str(err.value) == ("Saved elsewhere since you opened it: Reasons and Coping "
                              "changed there. Still here.")
    assert [v for v, _, _ in _rows(session, me.id)] == [2, 1]


def test_a_first_save_from_another_screen_names_what_it_filled_in(session, me):
    _save(session, me.id, 0, "", "Walk")
    with pytest.raises(StaleEdit) as err:
        _save(session, me.id, 0, "My kids")
    assert err.value.changed == ["Coping"]
    without_blank = versions.Versioned(PLANS.model, PLANS.content, stale=PLANS.stale)
    with pytest.raises(StaleEdit) as err:
        _save(session, me.id, 0, "My kids", kind=without_blank)
    assert (err.value.changed, str(err.value)) == (
        [], "Saved elsewhere since you opened it. Still here.")


def test_without_an_expected_version_the_last_writer_wins(session, me):
    _save(session, me.id, None, "one")
    assert _save(session, me.id, None, "two").row.version == 2
    assert not _save(session, me.id, None, "two").created


def test_a_table_without_a_current_flag_takes_the_highest_version(session, me):
    plan = AftercarePlan(client_id=me.id)
    session.add(plan)
    session.flush()
    kind = versions.Versioned(AftercareVersion, lambda s, row: {"Notes": row.sections["n"]},
                              stale="stale{changed}", flag=None, quote=True)
    key = {"plan_id": plan.id}

    def save(expected, text):
        return versions.save(session, kind, key, {"Notes": text}, expected_version=expected,
                             new_row=lambda n: AftercareVersion(plan_id=plan.id, client_id=me.id,
                                                                version=n, sections={"n": text}))
    save(0, "a")
    save(1, "b")
    assert versions.current(session, kind, key).sections == {"n": "b"}
    assert not save(1, "b").created
    with pytest.raises(StaleEdit, match="^stale: “Notes” changed there$"):
        save(1, "c")


def test_a_long_list_of_changes_is_counted(session):
    many = {f"Field {n}": n for n in range(8)}
    assert versions.changed({}, many) == list(many)
    assert versions._changed_there(list(many), quote=False) == (
        ": Field 0, Field 1, Field 2, Field 3, Field 4 and 3 more changed there")
    assert versions.same({"A": 1}, {"A": 1, "Timer": 60})  # not carried: not a change
    assert not versions.same({"A": 1, "Timer": 60}, {"A": 1})


def _parallel(me, first: str, second: str):
    """Two saves from the same loaded version (1), each in its own session and thread,
    both past the version check before either writes."""
    barrier = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    def run(name, reasons):
        try:
            with db.session_scope() as s:
                results[name] = _save(s, me.id, 1, reasons, barrier=barrier)
        except Exception as exc:  # reported below
            results[name] = exc

    threads = [threading.Thread(target=run, args=args) for args in (("a", first),
                                                                     ("b", second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_parallel_saves_of_one_version_let_one_in_and_refuse_the_other(session, me):
    _save(session, me.id, 0, "My kids")
    session.commit()
    results = _parallel(me, "from phone A", "from phone B")
    won = [r for r in results.values() if isinstance(r, versions.Saved)]
    lost = [r for r in results.values() if isinstance(r, StaleEdit)]
    assert (len(won), len(lost)) == (1, 1), results
    assert str(lost[0]).startswith("Just saved elsewhere: Reasons changed there.")
    assert _rows(session, me.id) == [(2, True, won[0].row.sections["reasons"]),
                                     (1, False, "My kids")]


def test_parallel_identical_saves_are_one_version(session, me):
    _save(session, me.id, 0, "My kids")
    session.commit()
    results = _parallel(me, "the same words", "the same words")
    assert all(isinstance(r, versions.Saved) for r in results.values()), results
    assert sorted(r.created for r in results.values()) == [False, True]
    assert len({r.row.id for r in results.values()}) == 1
    assert _rows(session, me.id) == [(2, True, "the same words"), (1, False, "My kids")]
    assert len(session.exec(select(SafetyPlan)).all()) == 2
