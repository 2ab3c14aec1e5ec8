"""A fragment's own run (the check-in form's Save, issue 16) skips router.py and its gate. What
the gate does for a change must still happen: the whole page runs instead when the gate would
refuse (signed out, idle past the limit, a change refused because the session ended), and a
saved change notes activity as the gate's run would have."""
from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from companion import auth
from companion.actors import Actor
from companion.core.errors import AccessDenied, InvalidInput
from companion.core.timeutil import utcnow
from companion.models import UserSession
from companion.ui import gate


class Reran(Exception):
    pass


@pytest.fixture
def fake_st(monkeypatch):
    """gate's `st`, with a plain dict for the session and st.rerun raising `Reran`."""
    def rerun():
        raise Reran

    st = SimpleNamespace(session_state={}, rerun=rerun)
    monkeypatch.setattr(gate, "st", st)
    monkeypatch.setattr(gate, "in_fragment_run", lambda: True)
    return st


def _signed_in(st, last_activity: float) -> None:
    st.session_state.update({"authentication_status": True,
                             gate.LAST_ACTIVITY: last_activity})


def test_a_fragment_run_of_a_current_session_goes_on(fake_st):
    _signed_in(fake_st, time.time())
    gate.fragment_gate()  # no rerun


@pytest.mark.parametrize("why", ["idle", "signed out", "refused"])
def test_a_fragment_run_the_gate_would_refuse_reruns_the_whole_page(fake_st, why):
    _signed_in(fake_st, time.time())
    if why == "idle":  # the Save callback was skipped: the gate signs out, keeping the draft
        fake_st.session_state[gate.LAST_ACTIVITY] = time.time() - 16 * 60
    elif why == "signed out":
        fake_st.session_state["authentication_status"] = None
    else:
        gate.recheck_after(AccessDenied(auth.SESSION_ENDED))
    with pytest.raises(Reran):
        gate.fragment_gate()
    assert gate.RECHECK not in fake_st.session_state  # asked once


def test_other_refusals_stay_in_the_fragment(fake_st):
    _signed_in(fake_st, time.time())
    gate.recheck_after(InvalidInput("Choose your mood"))
    gate.fragment_gate()


def test_a_whole_page_run_leaves_it_to_the_gate(fake_st, monkeypatch):
    monkeypatch.setattr(gate, "in_fragment_run", lambda: False)
    _signed_in(fake_st, time.time() - 16 * 60)
    gate.fragment_gate()


def test_a_saved_change_notes_activity_as_the_gate_would(fake_st, session, users):
    client = users.client(users.therapist())
    session_id = auth.start_session(session, client)
    long_ago = utcnow() - timedelta(minutes=10)
    row = session.get(UserSession, session_id)
    row.active_at, client.last_seen_at = long_ago, long_ago
    session.commit()
    before = time.time() - 600
    fake_st.session_state.update({
        gate.LAST_ACTIVITY: before,
        "actor": Actor.of(client, signed_in_at=before, active_at=before,
                          session_id=session_id)})

    gate.note_activity(session)
    session.commit()

    now = fake_st.session_state[gate.LAST_ACTIVITY]
    assert now > before + 500
    assert fake_st.session_state["actor"].active_at == now
    session.expire_all()
    assert session.get(UserSession, session_id).active_at > long_ago + timedelta(minutes=9)
    assert client.last_seen_at > long_ago + timedelta(minutes=9)
