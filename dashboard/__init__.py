"""Streamlit pages and UI helpers. Thin: no SQL, no statistics."""
