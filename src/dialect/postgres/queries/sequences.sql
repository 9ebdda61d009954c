-- Sequences with their options and the column that owns them ('a': serial / OWNED BY,
-- 'i': identity).
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start_value,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       d.deptype::text AS owner_kind,
       tn.nspname::text AS owner_schema,
       tc.relname::text AS owner_table,
       a.attname::text AS owner_column,
       ARRAY(SELECT un.nspname::text
             FROM pg_depend ud
             JOIN pg_attrdef ad ON ud.classid = 'pg_attrdef'::regclass AND ud.objid = ad.oid
             JOIN pg_class uc ON uc.oid = ad.adrelid
             JOIN pg_namespace un ON un.oid = uc.relnamespace
             JOIN pg_attribute ua ON ua.attrelid = ad.adrelid AND ua.attnum = ad.adnum
             WHERE ud.refclassid = 'pg_class'::regclass AND ud.refobjid = c.oid
             ORDER BY un.nspname, uc.relname, ua.attname) AS user_schemas,
       ARRAY(SELECT uc.relname::text
             FROM pg_depend ud
             JOIN pg_attrdef ad ON ud.classid = 'pg_attrdef'::regclass AND ud.objid = ad.oid
             JOIN pg_class uc ON uc.oid = ad.adrelid
             JOIN pg_namespace un ON un.oid = uc.relnamespace
             JOIN pg_attribute ua ON ua.attrelid = ad.adrelid AND ua.attnum = ad.adnum
             WHERE ud.refclassid = 'pg_class'::regclass AND ud.refobjid = c.oid
             ORDER BY un.nspname, uc.relname, ua.attname) AS user_tables,
       ARRAY(SELECT ua.attname::text
             FROM pg_depend ud
             JOIN pg_attrdef ad ON ud.classid = 'pg_attrdef'::regclass AND ud.objid = ad.oid
             JOIN pg_class uc ON uc.oid = ad.adrelid
             JOIN pg_namespace un ON un.oid = uc.relnamespace
             JOIN pg_attribute ua ON ua.attrelid = ad.adrelid AND ua.attnum = ad.adnum
             WHERE ud.refclassid = 'pg_class'::regclass AND ud.refobjid = c.oid
             ORDER BY un.nspname, uc.relname, ua.attname) AS user_columns,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class tc ON tc.oid = d.refobjid
LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
ORDER BY 1, 2
