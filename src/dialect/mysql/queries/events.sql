-- Scheduled events of one schema (reported as unsupported objects).
SELECT e.EVENT_NAME AS event_name,
       e.EVENT_DEFINITION AS definition,
       e.EVENT_TYPE AS event_type,
       CAST(e.EXECUTE_AT AS CHAR) AS execute_at,
       CAST(e.INTERVAL_VALUE AS CHAR) AS interval_value,
       e.INTERVAL_FIELD AS interval_field,
       e.ON_COMPLETION AS on_completion,
       e.STATUS AS status,
       e.EVENT_COMMENT AS event_comment
FROM information_schema.EVENTS e
WHERE e.EVENT_SCHEMA = ?
ORDER BY e.EVENT_NAME
