-- 0031_teams_notify_events.sql
--
-- The optional worker role "notify_events" (issue 5 item 6): in the
-- stand-alone demo nothing turns the PSA's domain events into
-- internal_notifications; the worker reads the event streams and calls
-- teams_notify_from_event() for each event.  The trigger of 0030 then
-- takes over.  Off by default beside a real PSA (which does this itself).
--
-- Idempotent per event: each row's id is derived from (event id,
-- recipient), so an event handled twice (a redelivery after a crash
-- before XACK) inserts nothing the second time.  Safe to re-run.

CREATE OR REPLACE FUNCTION teams_notify_event_row_id(p_event text,
    p_user uuid)
RETURNS uuid
LANGUAGE sql IMMUTABLE
AS $$
    SELECT md5('teams-notify-event:' || p_event || ':' || p_user::text)::uuid
$$;

-- Returns the number of internal_notifications rows inserted (0: not an
-- event of the five categories, no recipient, or already handled).
CREATE OR REPLACE FUNCTION teams_notify_from_event(p_event jsonb)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v_type     text := p_event ->> 'eventType';
    v_id       text := p_event ->> 'id';
    v_p        jsonb := coalesce(p_event -> 'payload', '{}'::jsonb);
    v_tenant   uuid;
    v_ticket   uuid;
    v_sheet    uuid;
    v_tpl      text;
    v_title    text;
    v_message  text;
    v_link     text;
    v_n        integer;
    v_users    uuid[];
    t          record;
BEGIN
    IF v_id IS NULL OR v_type IS NULL THEN
        RETURN 0;
    END IF;

    BEGIN
        v_tenant := (v_p ->> 'tenantId')::uuid;
        v_ticket := (v_p ->> 'ticketId')::uuid;
        v_sheet := coalesce(v_p ->> 'timeSheetId',
                            v_p -> 'timeSheet' ->> 'id')::uuid;
    EXCEPTION WHEN invalid_text_representation THEN
        RETURN 0;
    END;

    IF v_tenant IS NULL THEN
        RETURN 0;
    END IF;

    IF v_ticket IS NOT NULL THEN
        SELECT ticket_id, ticket_number, title, assigned_to INTO t
          FROM tickets WHERE tenant = v_tenant AND ticket_id = v_ticket;

        IF NOT FOUND THEN
            RETURN 0;
        END IF;

        v_link := '/msp/tickets/' || v_ticket::text;
    END IF;

    IF v_type = 'TICKET_ASSIGNED' AND v_ticket IS NOT NULL THEN
        v_tpl := 'ticket-assigned';
        v_users := ARRAY[coalesce(
            (v_p -> 'changes' -> 'assigned_to' ->> 'new')::uuid,
            (v_p ->> 'userId')::uuid, t.assigned_to)];
        v_title := 'Ticket ' || t.ticket_number || ' assigned to you';
        v_message := coalesce(t.title, '');

    ELSIF v_type = 'TICKET_COMMENT_ADDED' AND v_ticket IS NOT NULL
          AND coalesce(v_p -> 'comment' ->> 'isInternal', 'false') = 'false'
          AND v_p -> 'comment' ->> 'authorType' = 'client'
    THEN
        v_tpl := 'ticket-comment-added-client';
        v_users := ARRAY[t.assigned_to];
        v_title := 'Client reply on ' || t.ticket_number;
        v_message := left(coalesce(v_p -> 'comment' ->> 'content', ''),
                          1000);
        IF v_p -> 'comment' ->> 'id' IS NOT NULL THEN
            v_link := v_link || '#comment-' || (v_p -> 'comment' ->> 'id');
        END IF;

    ELSIF v_type IN ('SLA_WARNING', 'TICKET_SLA_WARNING', 'SLA_BREACH',
                     'TICKET_SLA_BREACHED', 'SLA_ESCALATION',
                     'TICKET_ESCALATED')
          AND v_ticket IS NOT NULL
    THEN
        v_tpl := CASE
            WHEN v_type IN ('SLA_WARNING', 'TICKET_SLA_WARNING')
                THEN 'sla-warning'
            WHEN v_type IN ('SLA_BREACH', 'TICKET_SLA_BREACHED')
                THEN 'sla-breach'
            ELSE 'sla-escalation' END;
        v_users := ARRAY[coalesce((v_p ->> 'userId')::uuid, t.assigned_to)];
        v_title := CASE v_tpl
            WHEN 'sla-warning' THEN 'SLA at risk on ' || t.ticket_number
            WHEN 'sla-breach' THEN 'SLA breached on ' || t.ticket_number
            ELSE t.ticket_number || ' was escalated' END;
        v_message := coalesce(t.title, '');

    ELSIF v_type = 'TIME_SHEET_SUBMITTED' AND v_sheet IS NOT NULL THEN
        v_tpl := 'time-sheet-submitted';
        v_link := '/msp/time-sheet-approvals?approvalId=' || v_sheet::text;
        v_title := 'Time sheet waiting for your approval';
        SELECT 'Submitted by ' || coalesce(nullif(trim(coalesce(u.first_name,
                   '') || ' ' || coalesce(u.last_name, '')), ''),
                   u.username)
          INTO v_message
          FROM time_sheets s JOIN users u ON u.tenant = s.tenant
               AND u.user_id = s.user_id
         WHERE s.tenant = v_tenant AND s.id = v_sheet;
        v_message := coalesce(v_message, 'A time sheet was submitted');
        -- approvers: active MSP users holding timesheet:approve, never
        -- the submitter
        SELECT array_agg(DISTINCT ur.user_id) INTO v_users
          FROM user_roles ur
          JOIN role_permissions rp ON rp.tenant = ur.tenant
               AND rp.role_id = ur.role_id
          JOIN permissions pm ON pm.tenant = rp.tenant
               AND pm.permission_id = rp.permission_id
          JOIN users u ON u.tenant = ur.tenant AND u.user_id = ur.user_id
         WHERE ur.tenant = v_tenant AND pm.resource = 'timesheet'
           AND pm.action = 'approve' AND u.user_type = 'internal'
           AND NOT coalesce(u.is_inactive, false)
           AND u.user_id IS DISTINCT FROM (v_p ->> 'userId')::uuid
           AND NOT EXISTS (SELECT 1 FROM time_sheets s
                            WHERE s.tenant = v_tenant AND s.id = v_sheet
                              AND s.user_id = u.user_id);
    ELSE
        RETURN 0;
    END IF;

    INSERT INTO internal_notifications (internal_notification_id, tenant,
        user_id, template_name, language_code, title, message, type, link,
        metadata)
    SELECT teams_notify_event_row_id(v_id, u), v_tenant, u, v_tpl, 'en',
           v_title, v_message, 'info', v_link,
           jsonb_build_object('eventId', v_id, 'eventType', v_type,
                              'ticketId', v_ticket, 'source',
                              'teams-worker')
      FROM unnest(v_users) AS u
     WHERE u IS NOT NULL
       AND EXISTS (SELECT 1 FROM users x WHERE x.tenant = v_tenant
                                          AND x.user_id = u)
    ON CONFLICT DO NOTHING;

    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
