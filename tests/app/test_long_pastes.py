"""Issue 18 item 6 on the pages: a long paste is kept in the box, and Save says it is too long,
with the count, beside the button; nothing is stored and nothing typed is lost.

AppTest's `.input()` refuses a value over a box's `max_chars` without a word, as the browser
does with a paste: on the old pages these tests saw an empty box and "Saved"."""
import ast
from pathlib import Path

import pytest
from sqlmodel import select

from companion import chains, checkins
from companion.core.config import ROOT
from companion.models import ChainAnalysis, CheckIn
from tests.app.conftest import shown, sign_in, texts
from tests.support.entries import fill_checkin

NOTE = "Note (optional, just for you and your therapist)"


def counted(count: int, limit: int) -> str:
    return (f"is {count:,} characters; the most it can hold is {limit:,}. "
            f"Shorten it by {count - limit:,} and save again — nothing you typed was lost.")


@pytest.fixture
def robin_app(app, users, session):
    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    return app


def _beside_button(at) -> list[str]:
    """The messages drawn with the warning icon: the one beside Save (failure_beside_button)."""
    return [shown(e.value) for e in at.error if e.proto.icon == "⚠️"]


def _pasted(count: int) -> str:
    """`count` characters of writing, as a paste brings them (no spaces at the ends)."""
    return ("I wrote this out at length. " * (count // 20 + 1))[:count - 1] + "."


def test_a_long_note_in_the_checkin_is_kept_and_refused_with_the_count(robin_app, session):
    at = robin_app.switch_page("pages/client/checkin.py").run()
    fill_checkin(at)
    pasted = _pasted(5000)
    box = next(t for t in at.text_area if shown(t.label) == NOTE)
    box.input(pasted)
    next(b for b in at.button if b.label == "Save check-in").click().run()

    message = "Your note " + counted(5000, checkins.NOTE_MAX)
    assert message in texts(at)
    assert any(message in m for m in _beside_button(at))  # where the thumb is
    assert "Saved — thank you" not in texts(at)
    assert next(t for t in at.text_area if shown(t.label) == NOTE).value == pasted
    assert session.exec(select(CheckIn)).first() is None

    next(t for t in at.text_area if shown(t.label) == NOTE).input(_pasted(checkins.NOTE_MAX))
    next(b for b in at.button if b.label == "Save check-in").click().run()
    assert "Saved — thank you" in texts(at)
    assert len(session.exec(select(CheckIn)).one().note) == checkins.NOTE_MAX


def test_a_long_look_back_answer_is_kept_and_refused_with_the_count(robin_app, session):
    at = robin_app.switch_page("pages/client/lookback.py").run()
    pasted = _pasted(chains.ANSWER_MAX + 300)
    at.text_area[0].input(pasted)
    at.text_area[1].input("Tired, on edge")
    next(b for b in at.button if b.label == "Save").click().run()

    message = "This answer " + counted(chains.ANSWER_MAX + 300, chains.ANSWER_MAX)
    assert message in texts(at)
    assert any(message in m for m in _beside_button(at))
    assert at.text_area[0].value == pasted and at.text_area[1].value == "Tired, on edge"
    assert session.exec(select(ChainAnalysis)).all() == []


def test_a_look_back_answer_of_a_few_thousand_characters_saves(robin_app, session):
    at = robin_app.switch_page("pages/client/lookback.py").run()
    written = _pasted(3000)
    at.text_area[0].input(written)
    next(b for b in at.button if b.label == "Save").click().run()
    assert "Saved." in texts(at)
    assert session.exec(select(ChainAnalysis)).one().answers["before"] == written


def _max_chars_calls(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and any(k.arg == "max_chars" for k in node.keywords)]


def test_no_text_box_cuts_what_is_typed_or_pasted():
    """A box's `max_chars` makes the browser drop an over-long paste without a word: the
    services' limits refuse the save with the count instead."""
    files = [*(ROOT / "pages").rglob("*.py"), *(ROOT / "companion" / "ui").rglob("*.py"),
             ROOT / "app.py", ROOT / "router.py"]
    found = {str(p.relative_to(ROOT)): lines for p in files if (lines := _max_chars_calls(p))}
    assert found == {}
