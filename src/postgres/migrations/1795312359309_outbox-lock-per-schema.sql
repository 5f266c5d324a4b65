-- Up Migration

-- Advisory locks are per database, not per schema: with one key, writers (and relays) of
-- unrelated schemas in one database waited on each other. Key the outbox lock by the
-- schema it guards; `withWriteTx` calls this function too, so there is one definition.
CREATE OR REPLACE FUNCTION outbox_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(48573011, hashtext(current_schema()));
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION outbox_lock() RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(4857301126600104);
$$;
