-- Index key parts (MariaDB: no functional key parts; IGNORED indexes are MySQL's invisible ones).
SELECT s.TABLE_NAME AS table_name,
       s.INDEX_NAME AS index_name,
       s.NON_UNIQUE AS non_unique,
       s.SEQ_IN_INDEX AS seq,
       s.COLUMN_NAME AS column_name,
       CAST(NULL AS CHAR) AS expression,
       s.COLLATION AS collation,
       s.SUB_PART AS sub_part,
       s.INDEX_TYPE AS index_type,
       s.INDEX_COMMENT AS index_comment,
       CASE WHEN s.IGNORED = 'YES' THEN 'NO' ELSE 'YES' END AS is_visible
FROM information_schema.STATISTICS s
WHERE s.TABLE_SCHEMA = ?
ORDER BY s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX
