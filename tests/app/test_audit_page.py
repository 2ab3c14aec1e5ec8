"""The admin's audit page: record reads and changes by default, list views folded, clients
by name, filters by action and record, and the CSV export audited (issue 19 item 9)."""
from __future__ import annotations

import pytest

from companion import audit
from tests.app.conftest import sign_in
from tests.app.test_export_page import deferred  # noqa: F401 (fixture)
from tests.conftest import actor


@pytest.fixture
def clinic(users, session):
    boss = users.admin(name="boss")
    therapist = users.therapist(name="dana")
    clients = [users.client(therapist, name=f"robin{i}") for i in range(3)]
    session.commit()
    return {"boss": boss, "clients": clients}


def test_audit_page_folds_list_views_and_filters(app, clinic, session, deferred):
    sign_in(app, "boss")
    at = app.switch_page("pages/admin/audit.py").run()
    assert not at.exception
    actions = next(m for m in at.multiselect if m.label == "Actions")
    assert actions.value == ["read", "write"]
    frame = at.dataframe[0].value
    listed = frame[frame["Detail"] == "people list"]
    assert set(listed["Client"]) == {"3 clients"}  # one line per render, not one per client
    client = clinic["clients"][0]
    at = next(s for s in at.selectbox if s.label == "Client").set_value(client.id).run()
    frame = at.dataframe[0].value
    assert set(frame["Client"]) == {f"{client.display_name} ({client.username})"}
    next(t for t in at.toggle if t.label == "One line per list view").set_value(False)
    at = next(s for s in at.selectbox if s.label == "Client").set_value(None).run()
    assert (at.dataframe[0].value["Detail"] == "people list").sum() >= 3
    build, mime = deferred["audit-trail.csv"]
    assert mime == "text/csv" and build().startswith("# This information")
    session.expire_all()
    exports = audit.events(session, actor(clinic["boss"]), actions=[audit.EXPORT])
    assert list(exports["Staff"]) == ["boss"]
