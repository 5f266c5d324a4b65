-- Up Migration

-- Curation schema: banks, their content and signals, exchanges, and the outbox that
-- carries every change affecting matching to Kafka (see src/curation/outbox/README.md).
-- Names are unqualified so that a scratch schema on the search_path (tests) works.

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

-- Exchanges ---------------------------------------------------------------------------

CREATE TABLE exchange (
  id bigserial PRIMARY KEY,
  -- The exchange's name is also the name of the bank it owns.
  name varchar(255) NOT NULL UNIQUE CHECK (name ~ '^[A-Z_][A-Z0-9_]*$'),
  api varchar(255) NOT NULL,
  -- API-specific fields only; name, api and enabled live in their own columns.
  typed_config jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled boolean NOT NULL DEFAULT true,
  report_seen boolean NOT NULL DEFAULT false,
  report_true_positive boolean NOT NULL DEFAULT false,
  report_false_positive boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER exchange_updated_at BEFORE UPDATE ON exchange FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Credentials per exchange API type (HMA's exchange_api_config). Stored as bytes so that
-- encryption at rest can be added without a type change.
CREATE TABLE exchange_api_credentials (
  api varchar(255) PRIMARY KEY,
  credentials bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE exchange_fetch_status (
  exchange_id bigint PRIMARY KEY REFERENCES exchange (id) ON DELETE CASCADE,
  running_fetch_start_ts bigint,
  last_fetch_complete_ts bigint,
  last_fetch_succeeded boolean,
  is_up_to_date boolean NOT NULL DEFAULT false,
  checkpoint_ts bigint,
  checkpoint_json jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER exchange_fetch_status_updated_at BEFORE UPDATE ON exchange_fetch_status FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE exchange_fetch_history (
  id bigserial PRIMARY KEY,
  exchange_id bigint NOT NULL REFERENCES exchange (id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL,
  completed_at timestamptz,
  succeeded boolean,
  up_to_date boolean,
  items_fetched bigint NOT NULL DEFAULT 0,
  error text
);
CREATE INDEX exchange_fetch_history_by_exchange ON exchange_fetch_history (exchange_id, started_at DESC);

-- One raw record fetched from an exchange, keyed by the exchange's own record key.
CREATE TABLE exchange_record (
  id bigserial PRIMARY KEY,
  exchange_id bigint NOT NULL REFERENCES exchange (id) ON DELETE CASCADE,
  record_key text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (exchange_id, record_key)
);
CREATE TRIGGER exchange_record_updated_at BEFORE UPDATE ON exchange_record FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Banks and content ---------------------------------------------------------------------

CREATE TABLE bank (
  id bigserial PRIMARY KEY,
  name varchar(255) NOT NULL UNIQUE CHECK (name ~ '^[A-Z_][A-Z0-9_]*$'),
  matching_enabled_ratio double precision NOT NULL DEFAULT 1.0
    CHECK (matching_enabled_ratio >= 0 AND matching_enabled_ratio <= 1),
  labels text[] NOT NULL DEFAULT '{}',
  -- Deleting the exchange deletes its bank unless the exchange is deleted with keep_bank,
  -- which first detaches the bank.
  exchange_id bigint UNIQUE REFERENCES exchange (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER bank_updated_at BEFORE UPDATE ON bank FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE bank_content (
  id bigserial PRIMARY KEY,
  bank_id bigint NOT NULL REFERENCES bank (id) ON DELETE CASCADE,
  -- HMA's magic values: 1 = enabled, 0 = disabled indefinitely, else a Unix timestamp.
  disable_until_ts bigint NOT NULL DEFAULT 1 CHECK (disable_until_ts >= 0),
  original_content_uri text,
  platform_content_id text,
  review_labels text[] NOT NULL DEFAULT '{}',
  -- User metadata as HMA stores it, without content_id (kept in platform_content_id).
  metadata jsonb,
  note text CHECK (char_length(note) <= 255),
  exchange_record_id bigint UNIQUE REFERENCES exchange_record (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bank_content_by_bank_modified ON bank_content (bank_id, updated_at, id);
CREATE INDEX bank_content_by_platform_id ON bank_content (platform_content_id) WHERE platform_content_id IS NOT NULL;
CREATE TRIGGER bank_content_updated_at BEFORE UPDATE ON bank_content FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE content_signal (
  content_id bigint NOT NULL REFERENCES bank_content (id) ON DELETE CASCADE,
  signal_type varchar(255) NOT NULL,
  signal_val text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (content_id, signal_type)
);
CREATE INDEX content_signal_by_type ON content_signal (signal_type, created_at, content_id);

-- Review results recorded against content (history kept).
CREATE TABLE content_review (
  id bigserial PRIMARY KEY,
  content_id bigint NOT NULL REFERENCES bank_content (id) ON DELETE CASCADE,
  verdict text NOT NULL CHECK (verdict IN ('harmful', 'not_harmful')),
  labels text[] NOT NULL DEFAULT '{}',
  reviewer text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_review_by_content ON content_review (content_id, created_at);

-- Signal and content type settings (the installed types themselves come from code).
CREATE TABLE signal_type_override (
  name varchar(255) PRIMARY KEY,
  enabled_ratio double precision NOT NULL CHECK (enabled_ratio >= 0 AND enabled_ratio <= 1)
);
CREATE TABLE content_type_override (
  name varchar(255) PRIMARY KEY,
  enabled boolean NOT NULL
);

-- Outbox ----------------------------------------------------------------------------------

-- Every committed change that affects matching, in commit order. Writers hold the
-- transaction-level advisory lock below from before their first outbox row until
-- commit, so seq order is commit order and a relay reading "seq > position" never
-- skips a row that commits later with a smaller seq.
CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  topic text NOT NULL CHECK (topic IN ('signals', 'banks')),
  key text NOT NULL,
  value jsonb, -- null = tombstone
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE outbox_relay (
  name text PRIMARY KEY,
  position bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox lock's key: any fixed bigint. This function is its one definition: writers call it
-- (withWriteTx, src/curation/db.ts); 1795312359309_outbox-lock-per-schema.sql keys it by schema.
CREATE FUNCTION outbox_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(4857301126600104);
$$;

-- Rows are written by statement-level triggers with transition tables, so no write
-- path (API, bulk COPY, foreign-key cascades) can forget one, and a COPY of 10,000
-- signals costs one INSERT ... SELECT.

CREATE FUNCTION outbox_signal_value(st text, cid bigint, bid bigint, val text, dut bigint)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('signal_type', st, 'content_id', cid, 'bank_id', bid, 'value', val, 'disable_until_ts', dut);
$$;

CREATE FUNCTION outbox_signals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  INSERT INTO outbox (topic, key, value)
  SELECT 'signals', n.signal_type || ':' || n.content_id,
         outbox_signal_value(n.signal_type, n.content_id, c.bank_id, n.signal_val, c.disable_until_ts)
  FROM new_rows n JOIN bank_content c ON c.id = n.content_id
  ORDER BY n.content_id, n.signal_type;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;

CREATE FUNCTION outbox_signals_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  -- A changed key is a delete of the old key plus an insert of the new one.
  INSERT INTO outbox (topic, key, value)
  SELECT 'signals', o.signal_type || ':' || o.content_id, NULL
  FROM old_rows o
  WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.content_id = o.content_id AND n.signal_type = o.signal_type)
  ORDER BY o.content_id, o.signal_type;
  INSERT INTO outbox (topic, key, value)
  SELECT 'signals', n.signal_type || ':' || n.content_id,
         outbox_signal_value(n.signal_type, n.content_id, c.bank_id, n.signal_val, c.disable_until_ts)
  FROM new_rows n JOIN bank_content c ON c.id = n.content_id
  LEFT JOIN old_rows o ON o.content_id = n.content_id AND o.signal_type = n.signal_type
  WHERE o.signal_val IS DISTINCT FROM n.signal_val
  ORDER BY n.content_id, n.signal_type;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;

CREATE FUNCTION outbox_signals_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  INSERT INTO outbox (topic, key, value)
  SELECT 'signals', o.signal_type || ':' || o.content_id, NULL
  FROM old_rows o
  ORDER BY o.content_id, o.signal_type;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;

CREATE TRIGGER content_signal_outbox_insert AFTER INSERT ON content_signal
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_signals_inserted();
CREATE TRIGGER content_signal_outbox_update AFTER UPDATE ON content_signal
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_signals_updated();
CREATE TRIGGER content_signal_outbox_delete AFTER DELETE ON content_signal
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_signals_deleted();

-- Enabling, disabling or moving content re-publishes each of its signals.
CREATE FUNCTION outbox_content_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  INSERT INTO outbox (topic, key, value)
  SELECT 'signals', s.signal_type || ':' || s.content_id,
         outbox_signal_value(s.signal_type, s.content_id, n.bank_id, s.signal_val, n.disable_until_ts)
  FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN content_signal s ON s.content_id = n.id
  WHERE n.disable_until_ts IS DISTINCT FROM o.disable_until_ts OR n.bank_id IS DISTINCT FROM o.bank_id
  ORDER BY s.content_id, s.signal_type;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER bank_content_outbox_update AFTER UPDATE ON bank_content
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_content_updated();
-- Deleted content needs no trigger of its own: the cascade to content_signal writes the tombstones.

CREATE FUNCTION outbox_bank_value(b bank) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('bank_id', b.id, 'name', b.name,
    'matching_enabled_ratio', b.matching_enabled_ratio, 'labels', to_jsonb(b.labels));
$$;

CREATE FUNCTION outbox_banks_upserted() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION outbox_banks_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM outbox_lock();
  INSERT INTO outbox (topic, key, value)
  SELECT 'banks', o.id::text, NULL FROM old_rows o ORDER BY o.id;
  PERFORM pg_notify('hma_outbox', '');
  RETURN NULL;
END $$;

CREATE TRIGGER bank_outbox_insert AFTER INSERT ON bank
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_banks_upserted();
CREATE TRIGGER bank_outbox_update AFTER UPDATE ON bank
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_banks_upserted();
CREATE TRIGGER bank_outbox_delete AFTER DELETE ON bank
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_banks_deleted();

-- Down Migration

DROP TABLE IF EXISTS outbox_relay, outbox, content_type_override, signal_type_override, content_review,
  content_signal, bank_content, bank, exchange_record, exchange_fetch_history, exchange_fetch_status,
  exchange_api_credentials, exchange CASCADE;
-- outbox_bank_value went with the bank table's row type.
DROP FUNCTION IF EXISTS outbox_banks_deleted(), outbox_banks_upserted(),
  outbox_content_updated(), outbox_signals_deleted(), outbox_signals_updated(), outbox_signals_inserted(),
  outbox_signal_value(text, bigint, bigint, text, bigint), outbox_lock(), set_updated_at();
