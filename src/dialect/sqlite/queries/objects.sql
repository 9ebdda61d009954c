-- Every object of the main database, with the SQL that created it.
SELECT type, name, tbl_name, rootpage, sql
FROM main.sqlite_schema
ORDER BY type, name
