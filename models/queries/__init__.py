"""Read-side queries for the dashboard: functions of (engine, filters, role) returning DataFrames.

They aggregate in SQL (or read the summary tables) and mask personal data by role.
"""
