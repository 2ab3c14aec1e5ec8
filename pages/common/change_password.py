"""Required after a one-time password: nothing else opens until it is replaced."""
import streamlit as st

from companion.ui.gate import current_actor
from companion.ui.password import password_form

st.title("Choose your password")
st.info("Welcome! Before you go on, replace the one-time password you were given with one "
        "only you know.")
password_form(current_actor(), forced=True)
