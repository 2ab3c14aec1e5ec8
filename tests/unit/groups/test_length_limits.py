"""Issue 18 item 6 for groups: a title, topic, link, note or reason over its limit is
refused at save with its count (the boxes no longer cut a paste in the browser)."""
import pytest

from companion import groups
from companion.core.errors import FormErrors
from tests.conftest import actor
from tests.unit.groups.conftest import at, monday_group

FIRST = at(2027, 3, 1, 18)  # the series' first Monday session


def counted(count: int, limit: int) -> str:
    return (f"is {count:,} characters; the most it can hold is {limit:,}. "
            f"Shorten it by {count - limit:,} and save again")


@pytest.mark.parametrize("name, limit, extra", [
    ("title", groups.TITLE_MAX, {}),
    ("topic", groups.TOPIC_MAX, {}),
    ("link", groups.LINK_MAX, {"location": "telehealth"}),
])
def test_series_text_over_its_limit_is_refused_with_the_count(session, world, name, limit,
                                                              extra):
    admin = actor(world["admin"])
    text = "https://" + "x" * (limit - 8) if name == "link" else "x" * limit
    with pytest.raises(FormErrors) as err:
        groups.schedule_series(session, admin, monday_group(world["other"], **extra,
                                                            **{name: text + "y"}))
    assert counted(limit + 1, limit) in err.value.fields[name]
    assert counted(limit + 1, limit) in str(err.value)
    saved = groups.schedule_series(session, admin, monday_group(world["other"], **extra,
                                                                **{name: text}))
    assert len(getattr(saved, name)) == limit


def test_an_rsvp_reason_over_its_limit_is_refused_with_the_count(session, world):
    me, limit = actor(world["mine"]), groups.REASON_MAX
    with pytest.raises(FormErrors) as err:
        groups.rsvp(session, me, world["series"].id, FIRST, False, "x" * (limit + 1))
    assert counted(limit + 1, limit) in err.value.fields["reason"]
    assert groups.rsvp(session, me, world["series"].id, FIRST, False, "x" * limit).reason


def test_a_session_note_over_its_limit_is_refused_with_the_count(session, world):
    admin, limit = actor(world["admin"]), groups.NOTE_MAX
    with pytest.raises(FormErrors) as err:
        groups.cancel_occurrence(session, admin, world["series"].id, FIRST, "x" * (limit + 1))
    assert counted(limit + 1, limit) in err.value.fields["note"]
    assert groups.cancel_occurrence(session, admin, world["series"].id, FIRST, "x" * limit)
