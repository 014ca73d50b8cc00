"""Imports into the store: parse a file, validate every row, then commit in one transaction.

No Streamlit here: pure functions plus one transactional commit function per import.
"""
