"""The urge-surfing timer's breathing cue (issue 18, item 8): it counts whole seconds, each
phase from its length down to 1, with no number skipped or repeated and never a 0, even
though the fragment that draws it runs a little early or late each second."""
import pytest

from companion.ui import surf

# in 4, hold 4, out 6: what a client should read, one line a second
ONE_CYCLE = ([f"Breathe in… {n}" for n in (4, 3, 2, 1)]
             + [f"Hold gently… {n}" for n in (4, 3, 2, 1)]
             + [f"Breathe out slowly… {n}" for n in (6, 5, 4, 3, 2, 1)])


@pytest.fixture
def clock(surf_clock):
    """The urge-surfing timer's clock (tests/conftest.py): `clock.at = t`."""
    return surf_clock


def test_the_cue_counts_each_whole_second_down_to_one(clock):
    started = clock.at
    # The fragment runs about once a second: a little late, a little early, never exactly.
    jitter = [0.02, 0.31, -0.12, 0.45, -0.4, 0.0, 0.18, -0.27, 0.49, 0.07]
    seen = []
    for second in range(3 * surf.CYCLE):
        clock.at = started + second + jitter[second % len(jitter)]
        seen.append(surf.breathing_cue(surf.elapsed_seconds(started)))
    assert seen == ONE_CYCLE * 3


def test_the_cue_never_shows_zero_between_whole_seconds():
    for tenths in range(0, 2 * surf.CYCLE * 10):
        cue = surf.breathing_cue(tenths / 10)
        assert not cue.endswith(" 0"), (tenths / 10, cue)
        assert cue == ONE_CYCLE[(tenths // 10) % surf.CYCLE]


def test_elapsed_never_goes_below_zero(clock):
    assert surf.elapsed_seconds(clock.at + 0.7) == 0  # a clock stepped back a moment


def test_the_lengths_a_client_chooses():
    assert surf.MINUTES == (5, 10, 15, 20) and surf.DEFAULT_MINUTES == 10
