-- What each view and materialized view reads: relations and functions, from pg_depend.
SELECT DISTINCT vn.nspname::text AS schema,
       v.relname::text AS view_name,
       CASE WHEN d.refclassid = 'pg_class'::regclass THEN rc.relkind::text ELSE 'f' END AS ref_kind,
       COALESCE(rn.nspname, pn.nspname)::text AS ref_schema,
       COALESCE(rc.relname, p.proname)::text AS ref_name
FROM pg_class v
JOIN pg_namespace vn ON vn.oid = v.relnamespace
JOIN pg_rewrite r ON r.ev_class = v.oid
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
LEFT JOIN pg_class rc ON d.refclassid = 'pg_class'::regclass AND rc.oid = d.refobjid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE v.relkind IN ('v', 'm')
  AND d.refobjid <> v.oid
  AND (rc.oid IS NOT NULL OR p.oid IS NOT NULL)
  AND COALESCE(rn.nspname, pn.nspname) NOT IN ('pg_catalog', 'information_schema')
  AND vn.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
ORDER BY 1, 2, 3, 4, 5
