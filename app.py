"""Entry point: `streamlit run app.py` serves router.py through Streamlit's ASGI app.

All page logic lives in router.py and pages/.
"""
import streamlit as st

app = st.App("router.py")
