"""The app's ASGI layer around Streamlit (`st.App` in app.py): security headers on every
response (`headers`) and the app's own HTTP routes (`routes`). No page logic lives here."""
