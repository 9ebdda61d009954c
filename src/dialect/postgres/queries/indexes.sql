-- Indexes that do not back a constraint; a partition's copy of its parent's index is `inherited`.
SELECT n.nspname::text AS schema,
       c.relname::text AS table_name,
       ic.relname::text AS name,
       i.indisunique AS is_unique,
       am.amname::text AS method,
       i.indnkeyatts::int4 AS key_count,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
             FROM generate_series(1, i.indnatts) AS k ORDER BY k) AS parts,
       ARRAY(SELECT (i.indkey::int2[])[k - 1] = 0
             FROM generate_series(1, i.indnatts) AS k ORDER BY k) AS is_expression,
       ARRAY(SELECT COALESCE((i.indoption::int2[])[k - 1], 0)::int4
             FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS options,
       ARRAY(SELECT CASE WHEN oc.opcdefault THEN NULL
                         ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END
             FROM generate_series(1, i.indnkeyatts) AS k
             LEFT JOIN pg_opclass oc ON oc.oid = (i.indclass::oid[])[k - 1]
             LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
             ORDER BY k) AS opclasses,
       ARRAY(SELECT CASE WHEN coll.oid IS NULL OR coll.collname = 'default' THEN NULL
                         WHEN colln.nspname = 'pg_catalog' THEN quote_ident(coll.collname)
                         ELSE quote_ident(colln.nspname) || '.' || quote_ident(coll.collname) END
             FROM generate_series(1, i.indnkeyatts) AS k
             LEFT JOIN pg_collation coll ON coll.oid = (i.indcollation::oid[])[k - 1]
             LEFT JOIN pg_namespace colln ON colln.oid = coll.collnamespace
             ORDER BY k) AS collations,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       pg_get_indexdef(i.indexrelid) AS definition,
       obj_description(ic.oid, 'pg_class') AS comment,
       EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) AS inherited
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                  WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2, 3
