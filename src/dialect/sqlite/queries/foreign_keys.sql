-- Every foreign key of every ordinary table, one row per column pair. SQLite numbers a table's
-- foreign keys (id) in reverse order of declaration; "to" is NULL when the parent's primary key is
-- meant implicitly.
SELECT m.name AS table_name, fk.id, fk.seq, fk."table", fk."from", fk."to",
       fk.on_update, fk.on_delete, fk."match"
FROM main.sqlite_schema AS m
JOIN pragma_foreign_key_list(m.name, 'main') AS fk
WHERE m.type = 'table' AND m.rootpage > 0 AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, fk.id, fk.seq
