"""The app's own HTTP routes beside Streamlit's (served by `st.App` in app.py).

Every response from them passes through `headers.SecurityHeaders`: the Content-Security-Policy
applies, and nothing is cached (`no-store`), so a route may return client data (a calendar
feed) or a page with its script (served by another route here, never inline: the policy runs
no inline script). Paths must not start with Streamlit's reserved prefixes (`/_stcore/`,
`/media/`, `/component/`, `/static/`); `st.App` refuses them.
"""
from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from companion.web.headers import SecurityHeaders


def routes() -> list[BaseRoute]:
    """The app's own routes (none yet)."""
    return []


def middleware() -> list[Middleware]:
    """Runs around every request, outside Streamlit's own middleware."""
    return [Middleware(SecurityHeaders)]
