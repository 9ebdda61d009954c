-- SQLite 3.37+: what kind of table each is (table, view, shadow, virtual), WITHOUT ROWID, STRICT.
SELECT name, type, wr, strict
FROM pragma_table_list
WHERE schema = 'main'
ORDER BY name
