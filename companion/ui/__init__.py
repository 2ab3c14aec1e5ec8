"""Small Streamlit helpers shared by pages, so pages stay short."""
