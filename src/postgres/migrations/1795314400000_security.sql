-- Up Migration

-- Security: API tokens (stored hashed), UI sessions, encrypted exchange credentials, and
-- the append-only audit log of curation changes (see docs/SECURITY.md).

-- API tokens ------------------------------------------------------------------------------

-- The token itself is shown once at creation; only its SHA-256 is kept.
CREATE TABLE api_token (
  id bigserial PRIMARY KEY,
  name varchar(100) NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]*$'),
  token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['hash', 'match', 'curate', 'admin']),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
-- A name is unique among live tokens, so `hma token revoke <name>` names one.
CREATE UNIQUE INDEX api_token_live_name ON api_token (name) WHERE revoked_at IS NULL;

-- A UI login: the cookie holds a random session id, the table its SHA-256. Revoking the
-- token ends its sessions (the lookup joins the token).
CREATE TABLE ui_session (
  id_hash bytea PRIMARY KEY CHECK (octet_length(id_hash) = 32),
  token_id bigint NOT NULL REFERENCES api_token (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX ui_session_by_token ON ui_session (token_id);
CREATE INDEX ui_session_by_expiry ON ui_session (expires_at);

-- Exchange credentials ----------------------------------------------------------------------

-- Which key sealed the row (AES-256-GCM, src/security/secrets.ts); NULL = written before
-- encryption, still plaintext until `hma secrets rotate` seals it.
ALTER TABLE exchange_api_credentials ADD COLUMN key_id text;

-- Audit log ---------------------------------------------------------------------------------

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- token:<id>:<name>, ui:<id>:<name>, anonymous (AUTH=none), or system:<application_name>.
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'truncate')),
  entity text NOT NULL,
  -- The row's primary key columns as an object, e.g. {"id": 5}.
  entity_key jsonb NOT NULL,
  before jsonb,
  after jsonb,
  -- 1 for a row's change; for a bulk statement summarized in one record, how many rows it changed.
  row_count bigint NOT NULL DEFAULT 1,
  tx bigint NOT NULL DEFAULT txid_current()
);

-- Append-only: rows are never changed or removed, whoever asks (a superuser can still
-- disable the triggers; that is left to the deployer's database access control).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- Who: the transaction's hma.actor (set by withWriteTx from the request's principal),
-- else the connection's application name (hma-fetcher, hma-bank-import, ...).
CREATE FUNCTION audit_actor() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('hma.actor', true), ''),
                  'system:' || coalesce(nullif(current_setting('application_name', true), ''), session_user::text));
$$;

-- One statement-level function for every audited table, so that every write path (API,
-- UI, bulk COPY, exchange fetch commits, cascades) is recorded in its own transaction.
-- Arguments: the primary key columns (comma-separated), then the secret column or ''
-- (recorded as present, never by value). A statement changing more rows than
-- hma.audit_row_limit (default 1000: bulk imports, fetches, cascades of a bank delete) is
-- recorded as one row with its row count instead of one row per changed row; set
-- `ALTER DATABASE … SET hma.audit_row_limit = …` to change that.
CREATE FUNCTION audit_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  who text := audit_actor();
  row_limit bigint := coalesce(nullif(current_setting('hma.audit_row_limit', true), '')::bigint, 1000);
  key_of text := (SELECT 'jsonb_build_object(' || string_agg(format('%L, x.%I', k, k), ', ') || ')'
                  FROM unnest(string_to_array(TG_ARGV[0], ',')) k);
  row_of text := CASE WHEN TG_ARGV[1] = '' THEN 'to_jsonb(x)'
                      ELSE format('to_jsonb(x) || jsonb_build_object(%L, %L)', TG_ARGV[1], '[redacted]') END;
  n bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO audit_log (actor, action, entity, entity_key, row_count) VALUES (who, 'truncate', TG_TABLE_NAME, '{}', 0);
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT count(*) INTO n FROM old_rows;
  ELSE
    SELECT count(*) INTO n FROM new_rows;
  END IF;
  IF n = 0 THEN
    RETURN NULL;
  ELSIF n > row_limit THEN
    INSERT INTO audit_log (actor, action, entity, entity_key, row_count) VALUES (who, lower(TG_OP), TG_TABLE_NAME, '{}', n);
  ELSIF TG_OP = 'INSERT' THEN
    EXECUTE format('INSERT INTO audit_log (actor, action, entity, entity_key, after) SELECT $1, ''insert'', $2, %s, %s FROM new_rows x', key_of, row_of)
      USING who, TG_TABLE_NAME;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO audit_log (actor, action, entity, entity_key, before) SELECT $1, ''delete'', $2, %s, %s FROM old_rows x', key_of, row_of)
      USING who, TG_TABLE_NAME;
  ELSE
    -- Matched by key; a changed key reads as a delete plus an insert. Bookkeeping columns
    -- alone (updated_at, last_used_at) are not a change.
    EXECUTE format(
      'INSERT INTO audit_log (actor, action, entity, entity_key, before, after)
       SELECT $1, CASE WHEN o.j IS NULL THEN ''insert'' WHEN n.j IS NULL THEN ''delete'' ELSE ''update'' END, $2, coalesce(n.k, o.k), o.j, n.j
       FROM (SELECT %1$s AS k, %2$s AS j FROM old_rows x) o FULL JOIN (SELECT %1$s AS k, %2$s AS j FROM new_rows x) n ON n.k = o.k
       WHERE (o.j - $3) IS DISTINCT FROM (n.j - $3)', key_of, row_of)
      USING who, TG_TABLE_NAME, '{updated_at,last_used_at}'::text[];
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION audit_table(tbl regclass, keys text, secret text DEFAULT '') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  args text := quote_literal(keys) || ', ' || quote_literal(secret);
  name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
  EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes(%s)', name || '_audit_insert', tbl, args);
  EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes(%s)', name || '_audit_update', tbl, args);
  EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_changes(%s)', name || '_audit_delete', tbl, args);
  EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION audit_changes(%s)', name || '_audit_truncate', tbl, args);
END $$;

SELECT audit_table('bank', 'id');
SELECT audit_table('bank_content', 'id');
SELECT audit_table('content_signal', 'content_id,signal_type');
SELECT audit_table('content_review', 'id');
SELECT audit_table('exchange', 'id');
SELECT audit_table('exchange_api_credentials', 'api', 'credentials');
SELECT audit_table('signal_type_override', 'name');
SELECT audit_table('content_type_override', 'name');
SELECT audit_table('api_token', 'id', 'token_hash');

-- Down Migration

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['bank', 'bank_content', 'content_signal', 'content_review', 'exchange',
      'exchange_api_credentials', 'signal_type_override', 'content_type_override'] LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_audit_insert', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_audit_update', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_audit_delete', t);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_audit_truncate', t);
  END LOOP;
END $$;
DROP TABLE IF EXISTS ui_session, api_token, audit_log;
DROP FUNCTION IF EXISTS audit_table(regclass, text, text), audit_changes(), audit_actor(), audit_log_append_only();
ALTER TABLE exchange_api_credentials DROP COLUMN IF EXISTS key_id;
