-- Every index of every ordinary table with its columns: origin 'c' (CREATE INDEX), 'u' (UNIQUE
-- constraint) or 'pk'; key = 0 marks the trailing rowid/primary-key columns SQLite appends.
SELECT m.name AS table_name, il.name AS index_name, il."unique", il.origin, il.partial,
       ix.seqno, ix.cid, ix.name AS column_name, ix."desc", ix.coll, ix."key"
FROM main.sqlite_schema AS m
JOIN pragma_index_list(m.name, 'main') AS il
JOIN pragma_index_xinfo(il.name, 'main') AS ix
WHERE m.type = 'table' AND m.rootpage > 0 AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.name, il.name, ix.seqno
