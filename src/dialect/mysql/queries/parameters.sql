-- Parameters of the stored routines of one schema (ORDINAL_POSITION 0 is a function's result).
SELECT p.SPECIFIC_NAME AS routine_name,
       p.ROUTINE_TYPE AS routine_type,
       p.ORDINAL_POSITION AS ordinal,
       p.PARAMETER_MODE AS mode,
       p.PARAMETER_NAME AS parameter_name,
       p.DTD_IDENTIFIER AS data_type
FROM information_schema.PARAMETERS p
WHERE p.SPECIFIC_SCHEMA = ?
  AND p.ORDINAL_POSITION > 0
ORDER BY p.SPECIFIC_NAME, p.ROUTINE_TYPE, p.ORDINAL_POSITION
