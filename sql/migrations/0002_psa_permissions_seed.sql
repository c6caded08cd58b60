-- 0002_psa_permissions_seed.sql
--
-- PSA reference data the Teams module relies on:
--
-- 1. teams_psa_seed_permissions(tenant): inserts, for one tenant, every
--    permission row of psa-schema.md section 4 that the tenant lacks
--    (matched on resource, action, msp, client; the PSA has no unique key
--    there).  It is applied to every tenant that exists now; the demo seed
--    and onboarding scripts call it for new tenants.  In a real PSA the rows
--    already exist, so this adds nothing.
-- 2. The global internal-notification catalog rows that the Teams category
--    mapping uses (psa-schema.md section 7), inserted only when missing.
--
-- Safe to re-run.

CREATE OR REPLACE FUNCTION teams_psa_seed_permissions(p_tenant uuid)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_count  integer;
BEGIN
    WITH spec (resource, actions, msp, client) AS (
        VALUES
            ('ticket', ARRAY['create', 'read', 'update', 'delete',
                             'close_override'], true, false),
            ('ticket', ARRAY['read', 'create', 'update'], false, true),
            ('project', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('project', ARRAY['read', 'create', 'update', 'delete'],
             false, true),
            ('project_task', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('contact', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('client', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('client', ARRAY['read', 'create', 'update', 'delete'],
             false, true),
            ('timeentry', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('timesheet', ARRAY['create', 'read', 'update', 'delete',
                                'read_all', 'submit', 'approve', 'reverse'],
             true, false),
            ('time_management', ARRAY['read', 'create', 'update', 'delete'],
             false, true),
            ('settings', ARRAY['read', 'create', 'update', 'delete'],
             true, true),
            ('ticket_settings', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('user_settings', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('system_settings', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('security_settings', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('timeentry_settings', ARRAY['create', 'read', 'update',
                                         'delete'], true, false),
            ('billing_settings', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('user', ARRAY['create', 'read', 'update', 'delete', 'invite',
                           'reset_password'], true, false),
            ('user', ARRAY['read', 'create', 'update', 'delete',
                           'reset_password'], false, true),
            ('technician_dispatch', ARRAY['create', 'read', 'update',
                                          'delete'], true, false),
            ('user_schedule', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('sla_policy', ARRAY['create', 'read', 'update', 'delete'],
             true, false),
            ('interaction', ARRAY['create', 'read', 'update', 'delete'],
             true, false)
    ), rows AS (
        SELECT s.resource, a.action, s.msp, s.client
          FROM spec s, unnest(s.actions) AS a (action)
    )
    INSERT INTO permissions (tenant, resource, action, msp, client,
                             description)
    SELECT p_tenant, r.resource, r.action, r.msp, r.client,
           initcap(replace(r.action, '_', ' ')) || ' '
               || replace(r.resource, '_', ' ')
      FROM rows r
     WHERE NOT EXISTS (SELECT 1 FROM permissions p
                        WHERE p.tenant = p_tenant
                          AND p.resource = r.resource
                          AND p.action = r.action
                          AND p.msp = r.msp
                          AND p.client = r.client);

    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$fn$;

SELECT teams_psa_seed_permissions(tenant) FROM tenants;

-- Internal notification catalog (global tables) --------------------------

INSERT INTO internal_notification_categories (name, description,
                                              available_for_client_portal)
VALUES ('tickets', 'Ticket notifications', true),
       ('projects', 'Project notifications', false),
       ('invoices', 'Invoice notifications', true),
       ('system', 'System notifications', false),
       ('messages', 'Message notifications', false),
       ('appointments', 'Appointment notifications', true),
       ('sla', 'SLA notifications', false)
ON CONFLICT (name) DO NOTHING;

INSERT INTO internal_notification_subtypes (internal_category_id, name,
                                            description, default_priority)
SELECT c.internal_notification_category_id, v.name, v.description,
       v.default_priority
  FROM (VALUES ('tickets', 'ticket-assigned', 'Ticket assigned', 'normal'),
               ('tickets', 'ticket-comment-added', 'Comment added to ticket',
                'normal'),
               ('projects', 'task-assigned', 'Project task assigned',
                'normal'),
               ('sla', 'sla-warning', 'SLA at risk', 'normal'),
               ('sla', 'sla-breach', 'SLA breached', 'high'),
               ('sla', 'sla-escalation', 'Ticket escalated', 'high'))
       AS v (category, name, description, default_priority)
  JOIN internal_notification_categories c ON c.name = v.category
ON CONFLICT (internal_category_id, name) DO NOTHING;

INSERT INTO internal_notification_templates (name, language_code, title,
                                             message, subtype_id)
SELECT v.name, 'en', v.title, v.message, s.internal_notification_subtype_id
  FROM (VALUES
        ('ticket-assigned', 'ticket-assigned',
         'Ticket {{ticketNumber}} assigned to you',
         '{{ticketTitle}} was assigned to you by {{assignedBy}}.'),
        ('ticket-comment-added-client', 'ticket-comment-added',
         'New customer reply on {{ticketNumber}}',
         '{{authorName}} replied on {{ticketTitle}}.'),
        ('task-assigned', 'task-assigned',
         'Task assigned: {{taskName}}',
         '{{taskName}} in {{projectName}} was assigned to you.'),
        ('sla-warning', 'sla-warning',
         'SLA at risk on {{ticketNumber}}',
         '{{ticketTitle}} is close to breaching its SLA.'),
        ('sla-breach', 'sla-breach',
         'SLA breached on {{ticketNumber}}',
         '{{ticketTitle}} has breached its SLA.'),
        ('sla-escalation', 'sla-escalation',
         'Ticket {{ticketNumber}} escalated',
         '{{ticketTitle}} was escalated to level {{escalationLevel}}.'))
       AS v (name, subtype, title, message)
  JOIN internal_notification_subtypes s ON s.name = v.subtype
ON CONFLICT (name, language_code) DO NOTHING;
