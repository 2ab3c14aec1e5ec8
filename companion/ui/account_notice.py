"""Who changed my account: shown on the pages an admin's reset leads to (choose a password,
set up two-step sign-in), so a staff member whose account was reset and used sees it."""
from __future__ import annotations

import streamlit as st

from companion import audit
from companion.actors import Actor
from companion.core.db import session_scope
from companion.i18n import _
from companion.ui.text import markdown_text


def account_changes_notice(actor: Actor) -> None:
    with session_scope() as session:
        lines = audit.account_changes_by_others(session, actor)
    if lines:
        st.warning(_("**Changes to your account by others.** If you did not ask for one, "
                     "tell your clinic's privacy officer.") + "  \n"
                   + "  \n".join(markdown_text(x) for x in lines))
