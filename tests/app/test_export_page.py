"""The account page offers clients and alumni a download of all their data; staff get none."""
import csv
import io
import zipfile

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

from companion import export
from companion.checkins import record_checkin
from tests.app.conftest import sign_in, texts
from tests.conftest import actor
from tests.support.entries import answered

LABEL = "Download all my data"


@pytest.fixture
def deferred(monkeypatch) -> dict:
    """The data callables of deferred download buttons, by file name (the ZIP is built only
    when the button is tapped, so tests tap it by calling the callable)."""
    found = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        found[file_name] = (data_callable, mimetype)
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return found


def _labels(at) -> set[str]:
    return {d.proto.label for d in at.get("download_button")}


@pytest.mark.parametrize("role", ["client", "alumni"])
def test_clients_and_alumni_download_all_their_data(app, users, session, deferred, role):
    therapist = users.therapist(name="thera")
    person = (users.client if role == "client" else users.alumni)(therapist, name="robin")
    record_checkin(session, actor(person), answered(mood=6, note="Good day at the park"))
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/common/account.py").run()
    assert not at.exception
    assert "My data" in texts(at) and "ZIP file" in texts(at)
    assert LABEL in _labels(at)
    build, mime = deferred[export.file_name()]
    assert mime == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(build()))
    assert "README.txt" in archive.namelist()
    rows = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode("utf-8-sig"))))
    assert [r["Note"] for r in rows] == ["Good day at the park"]


@pytest.mark.parametrize("role", ["therapist", "admin"])
def test_staff_get_no_download_button(app, users, session, deferred, role):
    getattr(users, role)(name="staffer")
    session.commit()
    sign_in(app, "staffer")
    at = app.switch_page("pages/common/account.py").run()
    assert not at.exception
    assert "My account" in texts(at)
    assert LABEL not in _labels(at) and "My data" not in texts(at)
    assert export.file_name() not in deferred
