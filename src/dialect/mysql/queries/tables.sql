-- Tables (and views, sequences) of one schema, with the table's character set taken from its
-- collation.
SELECT t.TABLE_NAME AS table_name,
       t.TABLE_TYPE AS table_type,
       t.ENGINE AS engine,
       t.TABLE_COLLATION AS table_collation,
       c.CHARACTER_SET_NAME AS table_charset,
       t.TABLE_COMMENT AS table_comment,
       t.CREATE_OPTIONS AS create_options
FROM information_schema.TABLES t
LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION
WHERE t.TABLE_SCHEMA = ?
ORDER BY t.TABLE_NAME
