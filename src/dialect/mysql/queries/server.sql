-- The database this connection is on, and the server's version string.
SELECT DATABASE() AS db, VERSION() AS version
