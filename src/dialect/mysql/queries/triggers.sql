-- Triggers of one schema (always row-level in MySQL and MariaDB).
SELECT t.TRIGGER_NAME AS trigger_name,
       t.EVENT_OBJECT_TABLE AS table_name,
       t.ACTION_TIMING AS timing,
       t.EVENT_MANIPULATION AS event,
       t.ACTION_ORIENTATION AS orientation,
       t.ACTION_STATEMENT AS body,
       t.ACTION_ORDER AS action_order
FROM information_schema.TRIGGERS t
WHERE t.TRIGGER_SCHEMA = ?
ORDER BY t.EVENT_OBJECT_TABLE, t.TRIGGER_NAME
