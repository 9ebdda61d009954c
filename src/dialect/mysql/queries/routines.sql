-- Stored functions and procedures of one schema. ROUTINE_DEFINITION is NULL when we lack the
-- privilege to read it.
SELECT r.ROUTINE_NAME AS routine_name,
       r.ROUTINE_TYPE AS routine_type,
       r.DTD_IDENTIFIER AS returns,
       r.ROUTINE_BODY AS routine_body,
       r.ROUTINE_DEFINITION AS definition,
       r.IS_DETERMINISTIC AS is_deterministic,
       r.SQL_DATA_ACCESS AS sql_data_access,
       r.SECURITY_TYPE AS security_type,
       r.ROUTINE_COMMENT AS routine_comment
FROM information_schema.ROUTINES r
WHERE r.ROUTINE_SCHEMA = ?
ORDER BY r.ROUTINE_NAME, r.ROUTINE_TYPE
