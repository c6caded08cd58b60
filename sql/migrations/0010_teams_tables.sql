-- 0010_teams_tables.sql
--
-- Microsoft profile and Teams tables exactly as psa-schema.md section 2.7
-- defines them (names, columns, defaults, CHECK values, constraint names),
-- plus two tables of our own: teams_notification_outbox (durable
-- pending-delivery outbox) and teams_action_receipts (action idempotency).
-- All create-if-missing: in a PSA database that already has the Teams
-- tables only our own two tables are added.  Safe to re-run.
--
-- microsoft_profiles.client_secret_ref: in this product it holds the
-- profile's client secret encrypted with AES-256-GCM under the master key
-- (teams_secret_key_file), as the text envelope
--     v1:<base64 nonce (12 bytes)>:<base64 ciphertext || 16-byte tag>
-- or '' when no secret has been set (the column is NOT NULL).  Reads return a
-- masked form only.

CREATE TABLE IF NOT EXISTS microsoft_profiles (
    tenant                          uuid NOT NULL,
    profile_id                      uuid NOT NULL DEFAULT gen_random_uuid(),
    display_name                    text NOT NULL,
    display_name_normalized         text NOT NULL,
    client_id                       text NOT NULL DEFAULT ''::text,
    tenant_id                       text NOT NULL DEFAULT 'common'::text,
    client_secret_ref               text NOT NULL,
    is_default                      boolean NOT NULL DEFAULT false,
    is_archived                     boolean NOT NULL DEFAULT false,
    archived_at                     timestamptz,
    created_by                      uuid,
    updated_by                      uuid,
    created_at                      timestamptz NOT NULL
                                    DEFAULT CURRENT_TIMESTAMP,
    updated_at                      timestamptz NOT NULL
                                    DEFAULT CURRENT_TIMESTAMP,
    capabilities                    jsonb NOT NULL
        DEFAULT '["msp_sso", "email", "calendar", "teams"]'::jsonb,
    email_admin_consent_required    boolean NOT NULL DEFAULT false,
    email_admin_consent_granted_at  timestamptz,
    email_admin_consent_tenant_id   text,
    CONSTRAINT microsoft_profiles_pkey PRIMARY KEY (tenant, profile_id),
    CONSTRAINT microsoft_profiles_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant) ON DELETE CASCADE
);

CREATE UNIQUE INDEX IF NOT EXISTS microsoft_profiles_tenant_default_active_uniq
    ON microsoft_profiles (tenant, is_default)
    WHERE ((is_default = true) AND (is_archived = false));
CREATE UNIQUE INDEX IF NOT EXISTS
    microsoft_profiles_tenant_display_name_active_uniq
    ON microsoft_profiles (tenant, display_name_normalized)
    WHERE (is_archived = false);

CREATE TABLE IF NOT EXISTS microsoft_profile_consumer_bindings (
    tenant         uuid NOT NULL,
    consumer_type  text NOT NULL,
    profile_id     uuid NOT NULL,
    created_by     uuid,
    updated_by     uuid,
    created_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT microsoft_profile_consumer_bindings_pkey PRIMARY KEY
        (tenant, consumer_type),
    CONSTRAINT microsoft_profile_consumer_bindings_tenant_foreign
        FOREIGN KEY (tenant) REFERENCES tenants (tenant) ON DELETE CASCADE,
    CONSTRAINT microsoft_profile_consumer_bindings_tenant_profile_id_foreign
        FOREIGN KEY (tenant, profile_id)
        REFERENCES microsoft_profiles (tenant, profile_id) ON DELETE RESTRICT,
    CONSTRAINT microsoft_profile_consumer_bindings_consumer_type_check
        CHECK (consumer_type = ANY (ARRAY['msp_sso'::text, 'email'::text,
                                          'calendar'::text, 'teams'::text]))
);

CREATE TABLE IF NOT EXISTS teams_integrations (
    tenant                               uuid NOT NULL,
    selected_profile_id                  uuid,
    install_status                       text NOT NULL
                                         DEFAULT 'not_configured'::text,
    enabled_capabilities                 jsonb NOT NULL DEFAULT '[]'::jsonb,
    notification_categories              jsonb NOT NULL DEFAULT '[]'::jsonb,
    allowed_actions                      jsonb NOT NULL DEFAULT '[]'::jsonb,
    last_error                           text,
    created_by                           uuid,
    updated_by                           uuid,
    created_at                           timestamptz NOT NULL
                                         DEFAULT CURRENT_TIMESTAMP,
    updated_at                           timestamptz NOT NULL
                                         DEFAULT CURRENT_TIMESTAMP,
    app_id                               text,
    bot_id                               text,
    package_metadata                     jsonb,
    default_meeting_organizer_upn        text,
    default_meeting_organizer_object_id  text,
    download_recordings                  boolean NOT NULL DEFAULT false,
    expose_recordings_in_portal          boolean NOT NULL DEFAULT false,
    recordings_subscription_id           text,
    recordings_subscription_expires_at   timestamptz,
    transcripts_subscription_id          text,
    transcripts_subscription_expires_at  timestamptz,
    meeting_artifact_webhook_secret      text,
    send_meeting_invites                 boolean NOT NULL DEFAULT true,
    notification_channels                jsonb,
    CONSTRAINT teams_integrations_pkey PRIMARY KEY (tenant),
    CONSTRAINT teams_integrations_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant) ON DELETE CASCADE,
    CONSTRAINT teams_integrations_tenant_selected_profile_id_foreign
        FOREIGN KEY (tenant, selected_profile_id)
        REFERENCES microsoft_profiles (tenant, profile_id) ON DELETE RESTRICT,
    CONSTRAINT teams_integrations_install_status_check CHECK
        (install_status = ANY (ARRAY['not_configured'::text,
            'install_pending'::text, 'active'::text, 'error'::text]))
);

CREATE TABLE IF NOT EXISTS teams_notification_deliveries (
    tenant                    uuid NOT NULL,
    delivery_id               uuid NOT NULL DEFAULT gen_random_uuid(),
    internal_notification_id  uuid,
    category                  text,
    destination_type          text NOT NULL,
    destination_id            text NOT NULL,
    attempt_number            integer NOT NULL DEFAULT 1,
    idempotency_key           text NOT NULL,
    provider_message_id       text,
    status                    text NOT NULL,
    error_code                text,
    error_message             text,
    retryable                 boolean,
    provider_request_id       text,
    sent_at                   timestamptz,
    delivered_at              timestamptz,
    responded_at              timestamptz,
    created_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_notification_deliveries_pk PRIMARY KEY
        (tenant, delivery_id),
    CONSTRAINT teams_notification_deliveries_idempotency_uk UNIQUE
        (tenant, idempotency_key),
    CONSTRAINT teams_notification_deliveries_error_code_check CHECK
        ((error_code IS NULL) OR error_code = ANY (ARRAY[
            'graph_throttled'::text, 'graph_unauthorized'::text,
            'graph_not_found'::text, 'graph_server_error'::text,
            'user_not_mapped'::text, 'addon_inactive'::text,
            'integration_inactive'::text, 'package_misconfigured'::text,
            'transient'::text, 'unknown'::text])),
    CONSTRAINT teams_notification_deliveries_status_check CHECK
        (status = ANY (ARRAY['skipped'::text, 'sent'::text,
                             'delivered'::text, 'failed'::text]))
);

CREATE INDEX IF NOT EXISTS teams_notification_deliveries_notification_idx
    ON teams_notification_deliveries (tenant, internal_notification_id);

-- The PSA's retention helper for delivery records; created only if absent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n
                   ON n.oid = p.pronamespace
                   WHERE p.proname = 'cleanup_teams_notification_deliveries'
                     AND n.nspname = current_schema()) THEN
        CREATE FUNCTION cleanup_teams_notification_deliveries(
            retention_interval interval DEFAULT '90 days')
        RETURNS integer
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            v_count  integer;
        BEGIN
            DELETE FROM teams_notification_deliveries
             WHERE created_at < now() - retention_interval;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            RETURN v_count;
        END
        $fn$;
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS teams_conversation_references (
    tenant                    uuid NOT NULL,
    microsoft_user_id         text NOT NULL,
    conversation_id           text NOT NULL,
    conversation_type         text NOT NULL,
    service_url               text NOT NULL,
    tenant_id_aad             text,
    channel_id_bot_framework  text,
    last_activity_at          timestamptz NOT NULL,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    context                   jsonb,
    context_expires_at        timestamptz,
    CONSTRAINT teams_conversation_references_pk PRIMARY KEY
        (tenant, microsoft_user_id, conversation_id)
);

CREATE TABLE IF NOT EXISTS teams_audit_events (
    tenant             uuid NOT NULL,
    event_id           uuid NOT NULL DEFAULT gen_random_uuid(),
    actor_user_id      uuid,
    microsoft_user_id  text,
    surface            text NOT NULL,
    action_id          text NOT NULL,
    target_type        text,
    target_id          text,
    idempotency_key    text,
    payload_hash       text,
    result_status      text NOT NULL,
    error_code         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_audit_events_pk PRIMARY KEY (tenant, event_id),
    CONSTRAINT teams_audit_events_action_id_check CHECK
        (action_id = ANY (ARRAY['assign_ticket'::text, 'add_note'::text,
            'reply_to_contact'::text, 'log_time'::text,
            'approval_response'::text, 'create_ticket_from_message'::text,
            'update_from_message'::text])),
    CONSTRAINT teams_audit_events_result_status_check CHECK
        (result_status = ANY (ARRAY['success'::text, 'failure'::text])),
    CONSTRAINT teams_audit_events_surface_check CHECK
        (surface = ANY (ARRAY['bot'::text, 'message_extension'::text,
                              'quick_action'::text, 'tab'::text]))
);

CREATE INDEX IF NOT EXISTS teams_audit_events_tenant_created_idx
    ON teams_audit_events (tenant, created_at);

-- Our own tables ---------------------------------------------------------

-- Durable pending-delivery outbox.  POST /api/teams/notify writes one row
-- per (internal notification, recipient) before acknowledging; the row is
-- then pushed to the Redis stream (status 'enqueued') and marked 'done' by
-- the worker once the outcome is in teams_notification_deliveries.  The
-- worker re-enqueues rows that stay 'pending'/'enqueued' past
-- next_attempt_at (Redis lost them).
CREATE TABLE IF NOT EXISTS teams_notification_outbox (
    tenant                    uuid NOT NULL,
    id                        uuid NOT NULL DEFAULT gen_random_uuid(),
    internal_notification_id  uuid NOT NULL,
    user_id                   uuid NOT NULL,
    category                  text,
    payload                   jsonb NOT NULL DEFAULT '{}'::jsonb,
    status                    text NOT NULL DEFAULT 'pending'::text,
    attempts                  integer NOT NULL DEFAULT 0,
    next_attempt_at           timestamptz NOT NULL DEFAULT now(),
    last_error                text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_notification_outbox_pk PRIMARY KEY (tenant, id),
    CONSTRAINT teams_notification_outbox_notification_user_uk UNIQUE
        (tenant, internal_notification_id, user_id),
    CONSTRAINT teams_notification_outbox_status_check CHECK
        (status = ANY (ARRAY['pending'::text, 'enqueued'::text,
                             'done'::text])),
    CONSTRAINT teams_notification_outbox_attempts_check CHECK (attempts >= 0)
);

CREATE INDEX IF NOT EXISTS teams_notification_outbox_due_idx
    ON teams_notification_outbox (next_attempt_at)
    WHERE status <> 'done'::text;

-- Idempotency receipts for mutating Teams actions: the first execution of
-- (tenant, idempotency_key) stores its result; a retry (Teams re-sends
-- invokes) returns the stored result instead of acting twice.
CREATE TABLE IF NOT EXISTS teams_action_receipts (
    tenant           uuid NOT NULL,
    idempotency_key  text NOT NULL,
    action           text NOT NULL,
    result           jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT teams_action_receipts_pk PRIMARY KEY
        (tenant, idempotency_key)
);

CREATE INDEX IF NOT EXISTS teams_action_receipts_created_idx
    ON teams_action_receipts (created_at);
