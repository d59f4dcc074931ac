"""What is derived or transactional lives here: one SQLite database in the data dir.

The journals stay the source of truth; this database (the standard library's
sqlite3, WAL, a schema version and migrations) holds what is worked out from them
or done with them: the sync outbox and what each service already has.
"""
