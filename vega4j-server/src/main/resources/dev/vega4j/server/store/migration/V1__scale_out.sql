-- vega serve --store: the shared job queue, results, worker registrations, credits ledger and rate-limit buckets.

CREATE TABLE vega_jobs (
    id              uuid PRIMARY KEY,
    model           text        NOT NULL,
    request         jsonb       NOT NULL,   -- the generation request and how to answer (the server's JobCodec)
    owner_hash      text,                   -- SHA-256 of the submitting API key; keys are never stored in clear
    credits         integer     NOT NULL,
    credits_day     integer,                -- UTC epoch day the credits were charged on (null: not charged)
    state           text        NOT NULL DEFAULT 'QUEUED'
                    CHECK (state IN ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED')),
    attempts        integer     NOT NULL DEFAULT 0,
    worker_id       text,
    lease_until     timestamptz,
    cancel_reason   text,
    step            integer     NOT NULL DEFAULT 0,
    total           integer     NOT NULL,
    preview         bytea,                  -- latest preview image of a running job (room for live previews)
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at      timestamptz,
    finished_at     timestamptz,
    result          jsonb,                  -- parameters actually used and the generation time
    failure_kind    text,
    failure_message text,
    retry_after     integer     NOT NULL DEFAULT 0
);
CREATE INDEX vega_jobs_queued ON vega_jobs (created_at) WHERE state = 'QUEUED';
CREATE INDEX vega_jobs_leases ON vega_jobs (lease_until) WHERE state = 'PROCESSING';
CREATE INDEX vega_jobs_finished ON vega_jobs (finished_at) WHERE finished_at IS NOT NULL;

-- the encoded images of a completed job, written once with its final state
CREATE TABLE vega_job_images (
    job_id uuid    NOT NULL REFERENCES vega_jobs (id) ON DELETE CASCADE,
    idx    integer NOT NULL,
    bytes  bytea   NOT NULL,
    PRIMARY KEY (job_id, idx)
);

CREATE TABLE vega_workers (
    id           text PRIMARY KEY,
    host         text        NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    models       jsonb       NOT NULL,      -- what the worker serves: slug, defaults, schedulers, adapters
    busy_job     uuid,
    stopped      boolean     NOT NULL DEFAULT false
);

CREATE TABLE vega_credit_usage (
    key_hash text PRIMARY KEY,
    day      integer NOT NULL,
    used     bigint  NOT NULL CHECK (used >= 0)
);

CREATE TABLE vega_rate_buckets (
    key_hash   text PRIMARY KEY,
    tokens     double precision NOT NULL,
    updated_at timestamptz      NOT NULL
);
