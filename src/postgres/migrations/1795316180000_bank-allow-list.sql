-- Up Migration

-- Allow-list (negative) banks: content matching one suppresses the matches of other banks for
-- the same content, of every bank (scope NULL) or of banks with one of the scope's labels; an
-- allow-list bank never matches on its own.
ALTER TABLE bank ADD COLUMN allow_list boolean NOT NULL DEFAULT false,
  ADD COLUMN allow_list_scope text[];

CREATE OR REPLACE FUNCTION outbox_bank_value(b bank) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('bank_id', b.id, 'name', b.name,
    'matching_enabled_ratio', b.matching_enabled_ratio, 'labels', to_jsonb(b.labels),
    'match_thresholds', b.match_thresholds,
    'allow_list', b.allow_list, 'allow_list_scope', to_jsonb(b.allow_list_scope));
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION outbox_bank_value(b bank) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('bank_id', b.id, 'name', b.name,
    'matching_enabled_ratio', b.matching_enabled_ratio, 'labels', to_jsonb(b.labels),
    'match_thresholds', b.match_thresholds);
$$;
ALTER TABLE bank DROP COLUMN allow_list_scope, DROP COLUMN allow_list;
