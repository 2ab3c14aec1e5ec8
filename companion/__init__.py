"""IOP Companion: the app without Streamlit (services, models, rules)."""
