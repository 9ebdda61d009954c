-- Foreign keys with their columns and the referenced columns, in key order.
SELECT rc.TABLE_NAME AS table_name,
       rc.CONSTRAINT_NAME AS constraint_name,
       k.COLUMN_NAME AS column_name,
       k.REFERENCED_TABLE_SCHEMA AS ref_schema,
       k.REFERENCED_TABLE_NAME AS ref_table,
       k.REFERENCED_COLUMN_NAME AS ref_column,
       rc.UPDATE_RULE AS update_rule,
       rc.DELETE_RULE AS delete_rule,
       rc.MATCH_OPTION AS match_option,
       k.ORDINAL_POSITION AS ordinal
FROM information_schema.REFERENTIAL_CONSTRAINTS rc
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA
 AND k.TABLE_NAME = rc.TABLE_NAME
 AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
WHERE rc.CONSTRAINT_SCHEMA = ?
  AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION
