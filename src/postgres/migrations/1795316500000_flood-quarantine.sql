-- Up Migration

-- Flood quarantine (docs/ARCHITECTURE.md, "Flood quarantine"). The flood counter
-- (src/pipeline/flood/) reads match.results and, in one transaction per batch, adds each
-- bank content's matches to per-minute buckets and stores the offsets it has counted up to,
-- so the counts are global across matcher instances, exactly once, and survive restarts.

-- Matches per bank content per minute (event time: the result's matched_at).
CREATE TABLE flood_bucket (
  content_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  bank_id bigint NOT NULL,
  matches bigint NOT NULL,
  PRIMARY KEY (content_id, bucket)
);
CREATE INDEX flood_bucket_by_bank ON flood_bucket (bank_id, bucket);
CREATE INDEX flood_bucket_by_time ON flood_bucket (bucket);

-- Where each counter consumer group stands, per partition: the next offset to count.
-- Written in the same transaction as the counts (so Kafka's committed offsets are only a hint).
CREATE TABLE flood_offsets (
  consumer text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, topic, partition)
);

-- Quarantined bank content: one row per entry, so any number of counters quarantine it once.
CREATE TABLE flood_quarantine (
  content_id bigint PRIMARY KEY REFERENCES bank_content (id) ON DELETE CASCADE,
  quarantined_at timestamptz NOT NULL DEFAULT now(),
  window_matches bigint NOT NULL,
  baseline_per_window double precision NOT NULL
);

-- The last release of each entry: matches before it no longer count towards a new quarantine
-- (the minute of the release, and how many of that minute's matches came before it).
CREATE TABLE flood_release (
  content_id bigint PRIMARY KEY,
  released_at timestamptz NOT NULL DEFAULT now(),
  released_bucket timestamptz NOT NULL,
  released_bucket_matches bigint NOT NULL
);

-- Every signal value on its way to the signals topic carries "quarantined": true while its
-- content is quarantined. A row trigger on the outbox rather than a change to
-- outbox_signal_value, so that every path that publishes a signal (add, enable, move, the
-- quarantine triggers below) gets the flag without knowing about it.
CREATE FUNCTION outbox_flag_quarantined() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.topic = 'signals' AND NEW.value IS NOT NULL
     AND EXISTS (SELECT 1 FROM flood_quarantine q WHERE q.content_id = (NEW.value->>'content_id')::bigint) THEN
    NEW.value := NEW.value || '{"quarantined": true}'::jsonb;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_flag_quarantined BEFORE INSERT ON outbox
  FOR EACH ROW EXECUTE FUNCTION outbox_flag_quarantined();

-- Quarantining or releasing content re-publishes each of its signals (flag set or cleared).
CREATE FUNCTION outbox_quarantine_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  IF TG_OP = 'INSERT' THEN
    INSERT INTO outbox (topic, key, value)
    SELECT 'signals', s.signal_type || ':' || s.content_id,
           outbox_signal_value(s.signal_type, s.content_id, c.bank_id, s.signal_val, c.disable_until_ts)
    FROM new_rows n JOIN bank_content c ON c.id = n.content_id JOIN content_signal s ON s.content_id = n.content_id
    ORDER BY s.content_id, s.signal_type;
  ELSE
    INSERT INTO outbox (topic, key, value)
    SELECT 'signals', s.signal_type || ':' || s.content_id,
           outbox_signal_value(s.signal_type, s.content_id, c.bank_id, s.signal_val, c.disable_until_ts)
    FROM old_rows o JOIN bank_content c ON c.id = o.content_id JOIN content_signal s ON s.content_id = o.content_id
    ORDER BY s.content_id, s.signal_type;
  END IF;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER flood_quarantine_outbox_insert AFTER INSERT ON flood_quarantine
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_quarantine_changed();
CREATE TRIGGER flood_quarantine_outbox_delete AFTER DELETE ON flood_quarantine
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_quarantine_changed();

-- Quarantines (actor system:<application>) and releases (the curator) in the audit log.
SELECT audit_table('flood_quarantine', 'content_id');

-- Down Migration

DROP TRIGGER IF EXISTS outbox_flag_quarantined ON outbox;
DROP TABLE IF EXISTS flood_quarantine, flood_release, flood_offsets, flood_bucket CASCADE;
DROP FUNCTION IF EXISTS outbox_quarantine_changed(), outbox_flag_quarantined();
