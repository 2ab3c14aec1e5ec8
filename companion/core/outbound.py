"""Keep Streamlit from asking the internet for this machine's address.

Streamlit 1.67 calls `streamlit.net_util.get_external_ip()` (an HTTP GET to
checkip.amazonaws.com, then over HTTPS, 1 s timeout each, after a DNS lookup with no timeout of
its own) in two places: the start banner when `server.address` is unset or a wildcard, and the
websocket origin check for every upgrade whose `Origin` is not this host. It caches only a
success, so on a machine that cannot reach the internet every foreign-Origin upgrade repeats
the lookup, synchronously on the event loop, and stalls every other request meanwhile. The
answer only adds "this machine's public IP" to the origins the websocket accepts; behind a
proxy the browser's origin matches the forwarded Host, so the app needs neither the request
nor its answer. `server.address = "127.0.0.1"` (see safety_check) covers the banner; this
covers the origin check. Call it before the server serves (at import of the `st.App` module).
"""
from __future__ import annotations


def _no_external_ip() -> None:
    """This server never asks an outside service for its address."""
    return None


def block_outside_lookups() -> None:
    """Replace Streamlit's external-IP lookup with one that answers "unknown" at once.

    Every caller reads it as `net_util.get_external_ip` at call time, and treats None as
    "not known" (nothing added to the allowed origins, no "External URL" line).
    """
    from streamlit import net_util

    net_util.get_external_ip = _no_external_ip


def outside_lookups_blocked() -> bool:
    from streamlit import net_util

    return net_util.get_external_ip is _no_external_ip
