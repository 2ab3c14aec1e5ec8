"""A download that doesn't arrive is not silent (issue 16 item 4).

Behind nginx with several replicas a download's file can be missing where the browser asks
for it (a replica restarted); Chromium then only notes a failed download and the page never
knows. Here the file made at the first tap is one the browser cannot get (its address is
rewritten to a file no server has: a 404, as from nginx when no replica has it). The page
must say what to do, and the next tap must bring the file. demo-client6 only reads here.
Fixtures: conftest.py.
"""
from __future__ import annotations

import re
import zipfile

import pytest

from companion.ui.downloads import HINT

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser


class MissingFiles:
    """Once `on`, the next file the server makes at a tap is one the browser cannot get, as
    when nginx finds it on no replica (the server's answer to the page is rewritten)."""

    def __init__(self, page):
        self.on, self.rewritten = False, 0
        page.route_web_socket(re.compile(r"/_stcore/stream"), self._route)

    def _route(self, ws):
        server = ws.connect_to_server()  # the page's own messages pass through unchanged
        server.on_message(lambda message: ws.send(self._rewrite(message)))

    def _rewrite(self, message):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not self.on or not isinstance(message, bytes):
            return message
        msg = ForwardMsg()
        msg.ParseFromString(message)
        if not (msg.WhichOneof("type") == "backend_operation_response"
                and msg.backend_operation_response.HasField("deferred_file")):
            return message
        made = msg.backend_operation_response.deferred_file
        made.url = re.sub(r"/media/[0-9a-f]+", "/media/" + "0" * 32, made.url)
        self.on, self.rewritten = False, self.rewritten + 1
        return msg.SerializeToString()


def test_a_failed_download_says_what_to_do_and_the_next_tap_brings_it(app):
    page = app.page
    missing = MissingFiles(page)
    app.goto()
    app.sign_in("demo-client6")
    app.navigate("My account")
    tap = page.get_by_role("button", name="Download all my data")
    hint = page.get_by_text(re.compile(re.escape(HINT.split("…")[1].strip())))
    expect(tap).to_be_visible()
    expect(hint).to_have_count(0)

    missing.on = True
    with page.expect_download(timeout=60_000) as first:
        app.act(tap)
    assert missing.rewritten, "the download was never pointed at a missing file"
    assert first.value.failure() is not None, "the first download was meant to fail"
    expect(hint).to_be_visible()

    with page.expect_download(timeout=60_000) as second:  # the ZIP is made during the tap
        app.act(tap)
    assert second.value.failure() is None
    assert zipfile.is_zipfile(second.value.path()), "the data download is not a ZIP"
    expect(hint).to_be_visible()  # said again after every tap
