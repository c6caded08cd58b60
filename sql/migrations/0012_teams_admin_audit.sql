-- 0012_teams_admin_audit.sql
--
-- Audit trail of the Teams admin API (/api/teams/admin/, teams_admin;).
--
-- The PSA's teams_audit_events (psa-schema.md section 2.7) is kept exactly
-- as the PSA defines it, and its CHECKs allow only the seven Teams action
-- ids and the bot/message_extension/quick_action/tab surfaces, so admin
-- calls cannot be written there.  This table of our own records every admin
-- call whose PSA tenant is known (reads included, refused calls included):
-- who (user and API key), what (method, route pattern, target), and how it
-- ended.  A change and its success row are written by one statement, so
-- they commit together; a refused or failed call gets a failure row.
-- No secret, API key or request body is ever stored here.  Safe to re-run.

CREATE TABLE IF NOT EXISTS teams_admin_audit_events (
    tenant         uuid NOT NULL,
    event_id       uuid NOT NULL DEFAULT gen_random_uuid(),
    actor_user_id  uuid,
    api_key_id     uuid,
    method         text NOT NULL,
    route          text NOT NULL,
    target_type    text,
    target_id      text,
    result_status  text NOT NULL,
    http_status    integer,
    error_code     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_admin_audit_events_pk PRIMARY KEY (tenant, event_id),
    CONSTRAINT teams_admin_audit_events_result_status_check CHECK
        (result_status = ANY (ARRAY['success'::text, 'failure'::text]))
);

CREATE INDEX IF NOT EXISTS teams_admin_audit_events_tenant_created_idx
    ON teams_admin_audit_events (tenant, created_at);
