"""Entry point: `streamlit run app.py` serves router.py through Streamlit's ASGI app.

The ASGI layer adds what a page script cannot: security headers on every response and the
app's own HTTP routes (companion/web/). All page logic lives in router.py and pages/.
"""
import streamlit as st

from companion.web.routes import middleware, routes

app = st.App("router.py", routes=routes(), middleware=middleware())
