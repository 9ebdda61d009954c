-- Functions, procedures, window functions and aggregates in user schemas (not from extensions).
-- Aggregates have no pg_get_functiondef; their CREATE AGGREGATE is rebuilt from pg_aggregate.
SELECT n.nspname::text AS schema,
       p.proname::text AS name,
       p.prokind::text AS kind,
       pg_get_function_identity_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS returns,
       l.lanname::text AS language,
       p.provolatile::text AS volatility,
       p.prosecdef AS security_definer,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
       ag.aggkind::text AS agg_kind,
       CASE WHEN p.prokind = 'a' THEN
         'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
         || '(' || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = '
         || ag.aggtransfn::regproc::text
         || ', STYPE = ' || format_type(ag.aggtranstype, NULL)
         || CASE WHEN ag.aggfinalfn <> 0 THEN ', FINALFUNC = ' || ag.aggfinalfn::regproc::text ELSE '' END
         || CASE WHEN ag.aggcombinefn <> 0 THEN ', COMBINEFUNC = ' || ag.aggcombinefn::regproc::text ELSE '' END
         || CASE WHEN ag.agginitval IS NOT NULL THEN ', INITCOND = ' || quote_literal(ag.agginitval) ELSE '' END
         || CASE WHEN ag.aggsortop <> 0 THEN ', SORTOP = ' || ag.aggsortop::regoperator::text ELSE '' END
         || CASE WHEN p.proparallel = 's' THEN ', PARALLEL = SAFE'
                 WHEN p.proparallel = 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END
         || ')'
       END AS aggregate_definition,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1, 2, 4
