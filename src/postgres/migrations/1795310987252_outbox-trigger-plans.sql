-- Up Migration

-- Within one statement each key appears once, so the order of its rows does not matter
-- for per-key ordering; dropping the sort saves a spill to disk on large COPYs.
CREATE OR REPLACE FUNCTION outbox_signals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  INSERT INTO outbox (topic, key, value)
  SELECT 'signals', n.signal_type || ':' || n.content_id,
         outbox_signal_value(n.signal_type, n.content_id, c.bank_id, n.signal_val, c.disable_until_ts)
  FROM new_rows n JOIN bank_content c ON c.id = n.content_id;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;

-- Transition tables carry no statistics, so the planner hash-joined them against the
-- whole of bank_content / content_signal: every outbox trigger run cost a full scan
-- (1.2 s per 20,000 imported rows at 1M rows, and a scan per single-row API change).
-- The rows a trigger sees are always few relative to the table and reached by primary
-- key, so the trigger functions plan with index nested loops only.
ALTER FUNCTION outbox_signals_inserted() SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION outbox_signals_updated() SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION outbox_content_updated() SET enable_hashjoin = off SET enable_mergejoin = off;
ALTER FUNCTION outbox_banks_upserted() SET enable_hashjoin = off SET enable_mergejoin = off;

-- Down Migration

ALTER FUNCTION outbox_signals_inserted() RESET ALL;
ALTER FUNCTION outbox_signals_updated() RESET ALL;
ALTER FUNCTION outbox_content_updated() RESET ALL;
ALTER FUNCTION outbox_banks_upserted() RESET ALL;
