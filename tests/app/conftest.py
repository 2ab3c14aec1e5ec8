"""AppTest helpers: a fresh database per test, caches cleared, sign-in by the real form."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from companion.core.config import ROOT
from tests.conftest import PASSWORD, totp_code


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "router.py"), default_timeout=30)


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill the library's form, submit, then rerun as the cookie component would."""
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    if not at.session_state["authentication_status"]:
        return at  # no cookie was written, so no component rerun follows
    at.run()
    if registered_pages(at) == {"common/second_factor.py"} and at.text_input:
        scope = f"{os.environ.get('DATABASE_URL', '')}:{at.session_state['username']}"
        at.text_input[0].input(totp_code(scope=scope))
        at.button[0].click().run()
        at.run()  # what the cookie component's own rerun shows in a browser
    return at


@contextmanager
def cookies_issued(username: str):
    """The re-login cookies written meanwhile (what the browser would send back), newest last.
    The library builds a new authenticator every run, so the cookie is caught as it is made."""
    from unittest import mock

    from streamlit_authenticator.models.cookie_model import CookieModel

    issued: list[dict] = []
    make_expiry = CookieModel._set_exp_date

    def recording(model):
        expires = make_expiry(model)
        issued.append({"username": username, "exp_date": expires})
        return expires

    with mock.patch.object(CookieModel, "_set_exp_date", recording):
        yield issued


def shown(markdown: str) -> str:
    """What a person reads of markdown made by companion/ui/text.py: backslash escapes
    resolved, the invisible word joiners that break autolinks and shortcodes dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", str(markdown)).replace("\u2060", "")


def sources(at: AppTest) -> str:
    """The markdown sources of the page's text elements, as one string (as sent to the
    browser: escapes and all)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info",
                                  "success", "error", "warning")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def texts(at: AppTest) -> str:
    """Everything a person would read on the page, as one string."""
    return shown(sources(at))


def registered_pages(at: AppTest) -> set[str]:
    return {info["script_path"].split("/pages/")[-1] for info in at._registered_pages.values()
            if "/pages/" in info["script_path"]}


@pytest.fixture
def app(db_url) -> AppTest:
    return new_app()


def links(at: AppTest) -> dict[str, str]:
    """Link buttons on the page: label -> URL (the crisis control's tel:/sms: links)."""
    return {shown(el.proto.label): el.proto.url for el in at.get("link_button")}


def same_tab_links(at: AppTest) -> dict[str, str]:
    """The page's same-tab links (`companion.ui.scroll.same_tab_link`): label -> URL."""
    import json

    found = {}
    for el in at.get("component_instance"):
        if el.proto.component_name.endswith("top_link"):
            args = json.loads(el.proto.json_args)
            found[args["label"]] = args["url"]
    return found
