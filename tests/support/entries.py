"""Check-in entries for tests: a save needs mood, craving, stress and use answered."""
from companion.checkins import CheckInEntry


def answered(**fields) -> CheckInEntry:
    """A calm day's check-in with the four answers a save needs; `fields` override them."""
    return CheckInEntry(**{"mood": 5, "craving": 0, "stress": 3, "used": "no", **fields})


def fill_checkin(at, **answers):
    """Answer the check-in page's four questions in an AppTest (a calm day unless told):
    the scales are pills, use a radio; nothing is chosen until tapped."""
    values = {"mood": 5, "craving": 0, "stress": 3, "used": "no", **answers}
    for widget in [*at.button_group, *at.radio]:
        name = (widget.key or "").rsplit("-", 1)[-1]
        if (widget.key or "").startswith("ci-") and name in values:
            widget.set_value(values[name])
    return at
