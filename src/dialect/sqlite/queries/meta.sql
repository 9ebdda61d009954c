-- The library version and the file behind the main database.
SELECT sqlite_version() AS version,
       (SELECT file FROM pragma_database_list WHERE name = 'main') AS file
