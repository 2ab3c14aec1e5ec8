"""The acting user, as services see it."""
from __future__ import annotations

from dataclasses import dataclass, field

from companion.core.timeutil import utcnow
from companion.models import CLIENT_ROLES, STAFF_ROLES, Role, User


def _now() -> float:
    # from the same clock, at the same (microsecond) precision, as `users.sessions_valid_after`
    return utcnow().timestamp()


@dataclass(frozen=True)
class Actor:
    """Who acts, and for a browser session since when (epoch seconds), so that every change
    can re-check the session in its own transaction (`access.require_current`).

    `signed_in_at`: when this session signed in; a change is refused once the account's
    sessions were ended after it (sign-out elsewhere, password change, deactivation).
    `active_at`: this session's last page run, as the login gate saw it; a change is refused
    once that (or the account's last activity) is older than the idle limit.
    `session_id`: the browser session (`UserSession`) this actor acts in; a change is refused
    once that session has ended or idled out, for good (a new sign-in is a new session). The
    gate builds actors with all three (`Actor.of(user, signed_in_at=…, active_at=…,
    session_id=…)`). Anything else, the CLI
    operator, the demo, benchmarks and tests, builds `Actor.of(user)`: signed in as it is
    built, with no idle clock (no browser session), and still refused once the account is
    deactivated, changes role or has its sessions ended.
    """

    id: int
    username: str
    role: Role
    display_name: str
    signed_in_at: float = field(default_factory=_now, compare=False)
    active_at: float | None = field(default=None, compare=False)
    session_id: str | None = field(default=None, compare=False)

    @classmethod
    def of(cls, user: User, *, signed_in_at: float | None = None,
           active_at: float | None = None, session_id: str | None = None) -> "Actor":
        return cls(id=user.id, username=user.username, role=Role(user.role),
                   display_name=user.display_name,
                   signed_in_at=_now() if signed_in_at is None else signed_in_at,
                   active_at=active_at, session_id=session_id)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client_side(self) -> bool:
        return self.role in CLIENT_ROLES
