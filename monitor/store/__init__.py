"""Storage: the SQLModel tables, every query, engine set-up and migrations.

Nothing outside this package talks SQL. Callers get plain objects (models.*) or small
row snapshots back.
"""
