-- Up Migration

-- Per bank, per signal type match threshold ({"pdq": 20}); a type absent here matches at the
-- lookup's threshold (the configured default). Bounds are checked by curation (they depend on
-- the installed signal types and config), the shape here.
ALTER TABLE bank ADD COLUMN match_thresholds jsonb NOT NULL DEFAULT '{}'::jsonb
  CHECK (jsonb_typeof(match_thresholds) = 'object');

CREATE OR REPLACE FUNCTION outbox_bank_value(b bank) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('bank_id', b.id, 'name', b.name,
    'matching_enabled_ratio', b.matching_enabled_ratio, 'labels', to_jsonb(b.labels),
    'match_thresholds', b.match_thresholds);
$$;

-- Publish an update whenever the published value changes, so a new bank setting needs only
-- outbox_bank_value to change, not this trigger too.
CREATE OR REPLACE FUNCTION outbox_banks_upserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  IF TG_OP = 'INSERT' THEN
    INSERT INTO outbox (topic, key, value)
    SELECT 'banks', n.id::text, outbox_bank_value(n) FROM new_rows n ORDER BY n.id;
  ELSE
    INSERT INTO outbox (topic, key, value)
    SELECT 'banks', n.id::text, outbox_bank_value(n)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE outbox_bank_value(n) IS DISTINCT FROM outbox_bank_value(o)
    ORDER BY n.id;
  END IF;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;
-- CREATE OR REPLACE drops the planner settings of 1795310987252_outbox-trigger-plans.
ALTER FUNCTION outbox_banks_upserted() SET enable_hashjoin = off SET enable_mergejoin = off;

-- Down Migration

CREATE OR REPLACE FUNCTION outbox_banks_upserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  IF TG_OP = 'INSERT' THEN
    INSERT INTO outbox (topic, key, value)
    SELECT 'banks', n.id::text, outbox_bank_value(n) FROM new_rows n ORDER BY n.id;
  ELSE
    INSERT INTO outbox (topic, key, value)
    SELECT 'banks', n.id::text, outbox_bank_value(n)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.name <> o.name OR n.matching_enabled_ratio <> o.matching_enabled_ratio OR n.labels <> o.labels
    ORDER BY n.id;
  END IF;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;
ALTER FUNCTION outbox_banks_upserted() SET enable_hashjoin = off SET enable_mergejoin = off;
CREATE OR REPLACE FUNCTION outbox_bank_value(b bank) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('bank_id', b.id, 'name', b.name,
    'matching_enabled_ratio', b.matching_enabled_ratio, 'labels', to_jsonb(b.labels));
$$;
ALTER TABLE bank DROP COLUMN match_thresholds;
