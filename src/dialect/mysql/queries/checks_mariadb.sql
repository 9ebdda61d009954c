-- Check constraints (MariaDB: column-level checks are listed too, named after their column, and
-- JSON columns carry an implicit json_valid() check).
SELECT cc.TABLE_NAME AS table_name,
       cc.CONSTRAINT_NAME AS constraint_name,
       cc.CHECK_CLAUSE AS check_clause,
       cc.LEVEL AS level
FROM information_schema.CHECK_CONSTRAINTS cc
WHERE cc.CONSTRAINT_SCHEMA = ?
ORDER BY cc.TABLE_NAME, cc.CONSTRAINT_NAME
