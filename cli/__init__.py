"""The ``regdash`` command line."""
