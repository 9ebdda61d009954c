-- The output columns of one view (the fallback when a view does not compile).
SELECT cid, name
FROM pragma_table_xinfo(?1, 'main')
ORDER BY cid
