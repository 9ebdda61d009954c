-- The output columns of every view. Fails as a whole when one view no longer compiles.
SELECT m.name AS view_name, p.cid, p.name
FROM main.sqlite_schema AS m
JOIN pragma_table_xinfo(m.name, 'main') AS p
WHERE m.type = 'view'
ORDER BY m.name, p.cid
