"""The acting user, as services see it."""
from __future__ import annotations

from dataclasses import dataclass

from companion.models import CLIENT_ROLES, STAFF_ROLES, Role, User


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    role: Role
    display_name: str

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(id=user.id, username=user.username, role=Role(user.role),
                   display_name=user.display_name)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client_side(self) -> bool:
        return self.role in CLIENT_ROLES
