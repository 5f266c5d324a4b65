-- Up Migration

-- Actions the reference actioner (hma actioner) has fired, one row per (platform
-- content id, rule): a redelivered or resubmitted match result never fires a rule twice.
-- 'pending' = claimed, firing (a crash leaves it pending, and the next delivery fires
-- again: at least once, with the same idempotency key); 'done' = fired; 'failed' =
-- dead-lettered after its retries.
CREATE TABLE actioner_fired (
  content_id    text        NOT NULL,
  rule          text        NOT NULL,
  submission_id text        NOT NULL,
  state         text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
  claims        integer     NOT NULL DEFAULT 1,
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  PRIMARY KEY (content_id, rule)
);

-- Down Migration

DROP TABLE actioner_fired;
