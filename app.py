"""Entry point: `streamlit run app.py` serves router.py through Streamlit's ASGI app.

The ASGI layer adds what a page script cannot: security headers on every response and the
app's own HTTP routes (companion/web/). All page logic lives in router.py and pages/.
"""
from companion.core.files import private_umask
from companion.core.outbound import block_outside_lookups

block_outside_lookups()  # before the server starts: see companion/core/outbound.py
private_umask()  # the database, its WAL and all this process writes: readable by us only

import streamlit as st  # noqa: E402

from companion.web.routes import middleware, routes  # noqa: E402

app = st.App("router.py", routes=routes(), middleware=middleware())
