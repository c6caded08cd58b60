-- 0030_teams_notify.sql
--
-- Personal activity-feed notifications (issue 5): the PSA's own
-- internal_notifications become Teams deliveries through a trigger in the
-- same transaction, or through POST /api/teams/notify; both call
-- teams_notify_enqueue(), idempotent per (tenant, notification, user).
--
-- The pipeline, all of it durable in PostgreSQL:
--   teams_notification_outbox.status
--     pending  -> due at next_attempt_at; a worker moves it to the Redis
--                 stream teams:notifications ("pump") and marks it
--     enqueued -> a worker consuming the stream claims it
--     sending  -> claimed_by/claim_until: a lease; nobody else sends it
--                 until the lease ends (per-delivery dedupe)
--     done     -> the outcome is in teams_notification_deliveries
--   and back to pending (with a later next_attempt_at) for a retry.
-- Safe to re-run.

ALTER TABLE teams_notification_outbox
    ADD COLUMN IF NOT EXISTS claimed_by   text,
    ADD COLUMN IF NOT EXISTS claim_until  timestamptz,
    ADD COLUMN IF NOT EXISTS enqueued_at  timestamptz,
    ADD COLUMN IF NOT EXISTS source       text NOT NULL DEFAULT 'trigger'::text;

ALTER TABLE teams_notification_outbox
    DROP CONSTRAINT IF EXISTS teams_notification_outbox_status_check;
ALTER TABLE teams_notification_outbox
    ADD CONSTRAINT teams_notification_outbox_status_check CHECK
        (status = ANY (ARRAY['pending'::text, 'enqueued'::text,
                             'sending'::text, 'done'::text]));

-- the pump's scan: due pending rows, and leases that ran out
CREATE INDEX IF NOT EXISTS teams_notification_outbox_pending_idx
    ON teams_notification_outbox (next_attempt_at)
    WHERE status = 'pending'::text;
CREATE INDEX IF NOT EXISTS teams_notification_outbox_sending_idx
    ON teams_notification_outbox (claim_until)
    WHERE status = 'sending'::text;
CREATE INDEX IF NOT EXISTS teams_notification_outbox_enqueued_idx
    ON teams_notification_outbox (enqueued_at)
    WHERE status = 'enqueued'::text;

-- admin API filters
CREATE INDEX IF NOT EXISTS teams_notification_deliveries_created_idx
    ON teams_notification_deliveries (tenant, created_at);

-- A user's own choice per Teams category (the bot's "notifications"
-- command).  No row: the category follows the tenant's setting.
CREATE TABLE IF NOT EXISTS teams_notification_preferences (
    tenant      uuid NOT NULL,
    user_id     uuid NOT NULL,
    category    text NOT NULL,
    enabled     boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_notification_preferences_pk PRIMARY KEY
        (tenant, user_id, category),
    CONSTRAINT teams_notification_preferences_user_fk FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id)
        ON DELETE CASCADE,
    CONSTRAINT teams_notification_preferences_category_check CHECK
        (category = ANY (ARRAY['assignment'::text, 'customer_reply'::text,
            'approval_request'::text, 'escalation'::text,
            'sla_risk'::text]))
);

-- The PSA's classifyTeamsNotificationCategory (psa-schema.md section 7);
-- NULL: not a Teams category (recorded as skipped, unsupported_category).
CREATE OR REPLACE FUNCTION teams_notify_category(p_template text,
    p_link text, p_metadata jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN p_template IN ('ticket-assigned', 'task-assigned')
            THEN 'assignment'
        WHEN p_template = 'ticket-comment-added-client'
            THEN 'customer_reply'
        WHEN p_template = 'sla-escalation'
             OR coalesce(p_metadata ->> 'subtype', '') = 'sla-escalation'
            THEN 'escalation'
        WHEN p_template IN ('sla-warning', 'sla-breach')
            THEN 'sla_risk'
        WHEN position('approval' in coalesce(p_template, '')) > 0
             OR position('/msp/time-sheet-approvals'
                         in coalesce(p_link, '')) > 0
            THEN 'approval_request'
        ELSE NULL
    END
$$;

-- One delivery per (notification, recipient, destination); the same key
-- names the outbox row and the teams_notification_deliveries row.
CREATE OR REPLACE FUNCTION teams_notify_idempotency_key(p_notification uuid,
    p_user uuid)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT 'teams-notify:' || p_notification::text || ':'
           || p_user::text || ':user_activity'
$$;

-- Enqueues one notification for one user.  Returns 'queued', 'duplicate'
-- (already enqueued or recorded: idempotent) or 'skipped' (not a Teams
-- category, recorded as skipped).
CREATE OR REPLACE FUNCTION teams_notify_enqueue(p_tenant uuid,
    p_notification uuid, p_user uuid, p_template text, p_title text,
    p_message text, p_link text, p_metadata jsonb, p_type text,
    p_priority text, p_source text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_category  text;
    v_n         integer;
BEGIN
    v_category := teams_notify_category(p_template, p_link, p_metadata);

    IF v_category IS NULL THEN
        INSERT INTO teams_notification_deliveries (tenant,
            internal_notification_id, category, destination_type,
            destination_id, attempt_number, idempotency_key, status,
            error_code, error_message, retryable)
        VALUES (p_tenant, p_notification, NULL, 'user_activity',
                p_user::text, 0,
                teams_notify_idempotency_key(p_notification, p_user),
                'skipped', NULL,
                'unsupported_category: template "'
                || coalesce(p_template, '') || '" has no Teams category',
                false)
        ON CONFLICT (tenant, idempotency_key) DO NOTHING;

        GET DIAGNOSTICS v_n = ROW_COUNT;
        RETURN CASE WHEN v_n = 0 THEN 'duplicate' ELSE 'skipped' END;
    END IF;

    INSERT INTO teams_notification_outbox (tenant, internal_notification_id,
        user_id, category, payload, source)
    VALUES (p_tenant, p_notification, p_user, v_category,
            jsonb_build_object('template_name', p_template,
                               'title', coalesce(p_title, ''),
                               'message', coalesce(p_message, ''),
                               'link', p_link,
                               'metadata', p_metadata,
                               'type', p_type,
                               'priority', p_priority),
            coalesce(p_source, 'trigger'))
    ON CONFLICT (tenant, internal_notification_id, user_id) DO NOTHING;

    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN CASE WHEN v_n = 0 THEN 'duplicate' ELSE 'queued' END;
END
$$;

CREATE OR REPLACE FUNCTION teams_notify_internal_notification()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.deleted_at IS NULL THEN
        PERFORM teams_notify_enqueue(NEW.tenant,
            NEW.internal_notification_id, NEW.user_id, NEW.template_name,
            NEW.title, NEW.message, NEW.link, NEW.metadata, NEW.type,
            NEW.priority, 'trigger');
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS teams_notify_internal_notification
    ON internal_notifications;
CREATE TRIGGER teams_notify_internal_notification
    AFTER INSERT ON internal_notifications
    FOR EACH ROW EXECUTE FUNCTION teams_notify_internal_notification();

-- POST /api/teams/notify: the same fields as an internal_notifications row
-- (internal_notification_id, user_id, template_name, title, message, link,
-- metadata, type, priority) as one JSON object; the module has checked the
-- ids and the required strings.
CREATE OR REPLACE FUNCTION teams_notify_enqueue_json(p_tenant uuid,
    p_body jsonb)
RETURNS text
LANGUAGE sql
AS $$
    SELECT teams_notify_enqueue(p_tenant,
        (p_body ->> 'internal_notification_id')::uuid,
        (p_body ->> 'user_id')::uuid,
        p_body ->> 'template_name', p_body ->> 'title',
        p_body ->> 'message', p_body ->> 'link',
        CASE WHEN jsonb_typeof(p_body -> 'metadata') = 'object'
             THEN p_body -> 'metadata' END,
        coalesce(p_body ->> 'type', 'info'),
        coalesce(p_body ->> 'priority', 'normal'), 'api')
$$;
