"""Streamlit's external-IP lookup is replaced: no request, whatever Origin a websocket sends."""
import pytest
from streamlit import net_util
from streamlit.web.server import server_util

from companion.core.outbound import block_outside_lookups, outside_lookups_blocked

# Taken at collection, before any test (or an AppTest run of app.py) could have blocked it.
STREAMLIT_LOOKUP = net_util.get_external_ip


@pytest.fixture
def blocked(monkeypatch):
    monkeypatch.setattr(net_util, "get_external_ip", STREAMLIT_LOOKUP)  # restored after
    monkeypatch.setattr(net_util, "_external_ip", None)
    requests_made = []
    monkeypatch.setattr(net_util, "_make_blocking_http_get",
                        lambda url, timeout=5: requests_made.append(url))
    block_outside_lookups()
    return requests_made


def test_external_ip_is_unknown_without_asking(blocked):
    assert outside_lookups_blocked()
    assert net_util.get_external_ip() is None
    assert blocked == []


@pytest.mark.parametrize("origin", ["http://evil.example", "https://attacker.test:8443",
                                    "http://203.0.113.9:8501"])
def test_foreign_origin_check_asks_nobody_and_refuses(blocked, origin):
    assert server_util.is_url_from_allowed_origins(origin) is False
    assert blocked == []


def test_own_origins_are_still_accepted(blocked):
    assert server_util.is_url_from_allowed_origins("http://127.0.0.1:8501")
    assert server_util.is_url_from_allowed_origins("http://localhost:8501")


def test_without_the_block_streamlit_would_ask(monkeypatch):
    """What the block prevents: the origin check fetching checkip.amazonaws.com."""
    requests_made = []
    monkeypatch.setattr(net_util, "_external_ip", None)
    monkeypatch.setattr(net_util, "_make_blocking_http_get",
                        lambda url, timeout=5: requests_made.append(url))
    monkeypatch.setattr(net_util, "get_external_ip", STREAMLIT_LOOKUP)
    server_util.is_url_from_allowed_origins("http://evil.example")
    assert any("checkip.amazonaws.com" in url for url in requests_made)

