-- Columns of every table and view of one schema.
SELECT c.TABLE_NAME AS table_name,
       c.COLUMN_NAME AS column_name,
       c.ORDINAL_POSITION AS ordinal,
       c.COLUMN_DEFAULT AS column_default,
       c.IS_NULLABLE AS is_nullable,
       c.COLUMN_TYPE AS column_type,
       c.CHARACTER_SET_NAME AS charset,
       c.COLLATION_NAME AS collation,
       c.EXTRA AS extra,
       c.GENERATION_EXPRESSION AS generation_expression,
       c.COLUMN_COMMENT AS column_comment
FROM information_schema.COLUMNS c
WHERE c.TABLE_SCHEMA = ?
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION
