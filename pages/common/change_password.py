"""Required after a one-time password: nothing else opens until it is replaced."""
import streamlit as st

from companion.i18n import _
from companion.ui.account_notice import account_changes_notice
from companion.ui.gate import current_actor
from companion.ui.password import password_form

st.title(_("Choose your password"))
st.info(_("Welcome! Before you go on, replace the one-time password you were given with one "
          "only you know."))
account_changes_notice(current_actor())
password_form(current_actor(), forced=True)
