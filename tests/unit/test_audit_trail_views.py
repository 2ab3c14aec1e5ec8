"""The admin's audit trail is usable: filter by action and record kind, one line per list
view, clients by name and username, and exports are themselves audited (issue 19 item 9)."""
from __future__ import annotations

import pytest

from companion import audit, people
from companion.checkins import current
from companion.core.errors import AccessDenied
from companion.core.timeutil import clinic_today
from tests.conftest import actor


@pytest.fixture
def trail(session, users):
    boss, therapist = users.admin(), users.therapist()
    clients = [users.client(therapist) for _ in range(3)]
    session.flush()
    people.people(session, actor(boss))                       # a list view: 3 rows
    current(session, actor(therapist), clients[0].id, clinic_today())  # one record read
    people.reset_password(session, actor(boss), therapist.id)  # an account action
    session.flush()
    return {"boss": actor(boss), "therapist": therapist, "clients": clients}


def test_list_views_collapse_to_one_line(session, trail):
    every = audit.events(session, trail["boss"])
    assert list(every["Detail"]).count("people list") == 3  # per-client rows are kept
    folded = audit.events(session, trail["boss"], collapse_lists=True)
    listed = folded[folded["Detail"] == "people list"]
    assert listed[["Action", "Record", "Client"]].to_dict("records") == [
        {"Action": "read", "Record": "profile", "Client": "3 clients"}]
    assert len(folded) == len(every) - 2


def test_clients_show_by_name_and_username(session, trail):
    client = trail["clients"][0]
    frame = audit.events(session, trail["boss"], client_id=client.id, collapse_lists=True)
    assert set(frame["Client"]) == {f"{client.display_name} ({client.username})"}


def test_filters_by_action_and_record_kind(session, trail):
    reads = audit.events(session, trail["boss"], actions=list(audit.DEFAULT_ACTIONS),
                         kinds=["checkin"])
    assert reads[["Staff", "Record"]].to_dict("records") == [
        {"Staff": trail["therapist"].username, "Record": "checkin"}]
    accounts = audit.events(session, trail["boss"], kinds=[audit.ACCOUNT])
    assert list(accounts["Record"]) == ["account"]
    assert audit.events(session, trail["boss"], actions=["denied read"]).empty


def test_an_export_is_itself_audited(session, trail):
    frame = audit.events(session, trail["boss"], kinds=["checkin"])
    text = audit.export_csv(session, trail["boss"], frame, "records checkin")
    assert text.startswith("# This information has been disclosed")
    session.flush()
    exports = audit.events(session, trail["boss"], actions=[audit.EXPORT])
    assert exports[["Record", "Detail"]].to_dict("records") == [
        {"Record": "audit_trail", "Detail": "CSV of 1 row (records checkin)"}]
    with pytest.raises(AccessDenied):
        audit.export_csv(session, actor(trail["therapist"]), frame)
