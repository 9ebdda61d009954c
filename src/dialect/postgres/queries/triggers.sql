-- User triggers (not internal ones, not a partition's clone of its parent's trigger).
-- tgparentid exists from PostgreSQL 13; on 12, clones are marked internal, so reading it through
-- to_jsonb keeps one query for every version.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       c.relkind::text AS relkind,
       t.tgname::text AS name,
       t.tgtype::int4 AS tgtype,
       ARRAY(SELECT a.attname::text
             FROM unnest(t.tgattr::int2[]) WITH ORDINALITY AS u(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = u.attnum
             ORDER BY u.ord) AS update_columns,
       fn.nspname::text AS function_schema,
       f.proname::text AS function_name,
       t.tgenabled::text AS enabled,
       pg_get_triggerdef(t.oid) AS definition,
       obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc f ON f.oid = t.tgfoid
JOIN pg_namespace fn ON fn.oid = f.pronamespace
WHERE NOT t.tgisinternal
  AND COALESCE((to_jsonb(t) ->> 'tgparentid')::oid, 0) = 0
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
ORDER BY 1, 2, 4
