"""A look back after a use (a chain analysis): offered, never forced; kept for the therapist."""
from __future__ import annotations

from sqlmodel import Session, col, select

from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.core import textrules
from companion.core.errors import FormErrors, NotFound
from companion.i18n import N_, _
from companion.models import ChainAnalysis, CheckIn

# Marked for the catalog; shown with `gettext(question)` in the reader's language.
QUESTIONS = {
    "before": N_("What was happening before? (where, who, what set things off)"),
    "thoughts": N_("What was I thinking?"),
    "feelings": N_("What was I feeling, in my body and emotions?"),
    "actions": N_("What did I do?"),
    "next_time": N_("What could I try next time, earlier in the chain?"),
}
ANSWER_MAX = 5000  # writing is the point here: room for a full answer


def record(session: Session, actor: Actor, answers: dict[str, str],
           checkin_id: int | None = None) -> ChainAnalysis:
    authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.WRITE)
    clean = {k: (answers.get(k) or "").strip() for k in QUESTIONS}
    errors: dict[str, str] = {}
    for key, answer in clean.items():
        textrules.check_length(errors, key, answer, ANSWER_MAX, subject=_("This answer"))
    for key, answer in clean.items():
        textrules.check(errors, key, answer, multiline=True)
    if not any(clean.values()):
        errors["before"] = _("Write a few words in any box — or skip this; it's optional.")
    if errors:
        raise FormErrors(errors)
    if checkin_id is not None:
        checkin = session.get(CheckIn, checkin_id)
        if checkin is None or checkin.client_id != actor.id:
            raise NotFound(_("That check-in isn't yours or no longer exists."))
    chain = ChainAnalysis(client_id=actor.id, checkin_id=checkin_id, answers=clean)
    session.add(chain)
    session.flush()
    return chain


def for_client(session: Session, actor: Actor, client_id: int,
               limit: int = 10) -> list[ChainAnalysis]:
    authorize(session, actor, client_id, RecordKind.CHECKIN, Action.READ, "look-backs")
    stmt = (select(ChainAnalysis).where(ChainAnalysis.client_id == client_id)
            .order_by(col(ChainAnalysis.created_at).desc()).limit(limit))
    return list(session.exec(stmt))
