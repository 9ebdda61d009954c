-- The columns of every ordinary table (rootpage = 0 marks virtual tables, whose modules may not be
-- loaded), generated columns included (hidden 2 = virtual, 3 = stored).
SELECT m.name AS table_name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
FROM main.sqlite_schema AS m
JOIN pragma_table_xinfo(m.name, 'main') AS p
WHERE m.type = 'table' AND m.rootpage > 0 AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, p.cid
