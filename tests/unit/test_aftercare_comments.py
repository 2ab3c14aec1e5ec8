"""Aftercare comments carry their author and time; the author may edit one and every
wording is kept (issue 19 item 12)."""
import pytest

from companion import aftercare
from companion.core.errors import AccessDenied, InvalidInput, StaleEdit
from tests.conftest import actor
from tests.unit.test_aftercare import cast, plan  # noqa: F401 (fixture)


@pytest.fixture
def commented(session, cast):
    me, therapist = cast["client"], cast["therapist"]
    aftercare.save(session, me, plan())
    aftercare.submit(session, me)
    note = aftercare.comment(session, therapist, me.id, "people", "Add your sponsor?")
    session.flush()
    return note


def test_view_names_each_comments_author(session, cast, commented):
    view = aftercare.view(session, cast["client"], cast["client"].id)
    assert view.authors == {cast["therapist"].id: cast["therapist"].display_name}
    assert view.wordings == {commented.id: 1}
    assert view.comments[0].created_at is not None and view.comments[0].edited_at is None


def test_the_author_edits_and_every_wording_is_kept(session, cast, commented):
    therapist, me = cast["therapist"], cast["client"]
    edited = aftercare.edit_comment(session, therapist, commented.id,
                                    "Add your sponsor's number?", expected_version=1)
    session.flush()
    assert edited.text == "Add your sponsor's number?" and edited.edited_at is not None
    history = aftercare.comment_history(session, me, commented.id)  # the client may read it
    assert [(v.version, v.text) for v in history] == [
        (2, "Add your sponsor's number?"), (1, "Add your sponsor?")]
    assert aftercare.view(session, me, me.id).wordings == {commented.id: 2}
    # a form loaded before that edit is refused, and nothing is written
    with pytest.raises(StaleEdit):
        aftercare.edit_comment(session, therapist, commented.id, "Other words",
                               expected_version=1)
    assert len(aftercare.comment_history(session, me, commented.id)) == 2
    with pytest.raises(InvalidInput, match="1–1000"):
        aftercare.edit_comment(session, therapist, commented.id, "  ", expected_version=2)


def test_only_the_author_edits(session, cast, users, commented):
    with pytest.raises(AccessDenied):  # not their client
        aftercare.edit_comment(session, cast["other"], commented.id, "Mine now")
    with pytest.raises(AccessDenied):
        aftercare.edit_comment(session, cast["client"], commented.id, "Mine now")
    with pytest.raises(AccessDenied):
        aftercare.comment_history(session, cast["other"], commented.id)
    assert aftercare.comment_history(session, cast["client"], commented.id) == []
