-- sql/seed/demo.sql — demo and test data (data only, no schema).
--
-- Run after sql/migrate.sh:
--   psql -X -v ON_ERROR_STOP=1 \
--        -v admin_api_key_a=PLAINTEXT -v admin_api_key_b=PLAINTEXT \
--        [-v readonly_api_key_a=PLAINTEXT] \
--        [-v mock_url=http://127.0.0.1:58080] \
--        [-v secret_ciphertext_a='v1:<b64 nonce>:<b64 ct+tag>'] \
--        -d "$CONNINFO" -f sql/seed/demo.sql
--
-- Variables:
--   admin_api_key_a, admin_api_key_b   required; plaintext API keys of the
--       two tenant admins.  Only their SHA-256 hex digest is stored
--       (api_keys.api_key), as the PSA does.
--   readonly_api_key_a                 optional; API key of tenant A's
--       read-only user (for 403 tests).
--   mock_url                           optional; base URL of the local
--       Microsoft stand-in.  When given, personal-chat conversation
--       references (service_url = mock_url + '/') are stored for tenant A's
--       technician and approver so bot replies/DMs work without an install
--       event.
--   secret_ciphertext_a                optional; profile A's client secret
--       already encrypted (v1 envelope).  When absent, client_secret_ref is
--       '' (the column is NOT NULL; '' means "no secret set").
--
-- Fixed ids are listed in sql/seed/demo-ids.env.  Idempotent: every row has
-- a fixed id and is inserted only when missing, so re-running is harmless
-- (the two admin key hashes and profile A's secret are refreshed to the
-- values passed, so a re-run with new keys keeps the demo usable).

\set ON_ERROR_STOP 1
\if :{?admin_api_key_a}
\else
DO $$ BEGIN RAISE EXCEPTION 'demo.sql: -v admin_api_key_a=... is required'; END $$;
\endif
\if :{?admin_api_key_b}
\else
DO $$ BEGIN RAISE EXCEPTION 'demo.sql: -v admin_api_key_b=... is required'; END $$;
\endif
\if :{?secret_ciphertext_a}
\else
\set secret_ciphertext_a ''
\endif
\if :{?mock_url}
\else
\set mock_url ''
\endif
\if :{?readonly_api_key_a}
\else
\set readonly_api_key_a ''
\endif

SET client_min_messages = warning;

BEGIN;

-- Generic PSA data for both tenants --------------------------------------

DO $seed$
DECLARE
    cfg       jsonb := $json$[
      {"p": "a", "name": "Northwind MSP (demo tenant A)",
       "domain": "northwind-msp.example", "ms_tenant":
       "ad0a0000-0000-4000-8000-00000000000a",
       "clients": ["Contoso Ltd", "Fabrikam Inc", "Adventure Works"]},
      {"p": "b", "name": "Tailwind MSP (demo tenant B)",
       "domain": "tailwind-msp.example", "ms_tenant":
       "ad0b0000-0000-4000-8000-00000000000b",
       "clients": ["Litware Inc", "Wide World Importers", "Tailspin Toys"]}
    ]$json$;
    t         jsonb;
    p         text;
    v_tenant  uuid;
    dom       text;
    u         record;
    n         integer;
    k         integer;
    j         integer;
    c         integer;
    v_client  uuid;
    v_contact uuid;
    v_board   uuid;
    v_status  uuid;
    v_assign  uuid;
    v_closed  boolean;
    v_when    timestamptz;
    v_week    date := date_trunc('week', current_date)::date;
    v_titles  text[] := ARRAY[
        'Outlook keeps asking for password',
        'VPN disconnects every hour',
        'New starter laptop setup',
        'Printer on 2nd floor offline',
        'Shared mailbox access request',
        'Nightly backup job failed on FS01',
        'MFA reset needed',
        'Slow Wi-Fi in the boardroom',
        'Teams calls dropping after 10 minutes',
        'Firewall firmware update',
        'Replace failing disk in NAS',
        'Adobe licence renewal',
        'Phishing email reported by staff',
        'OneDrive not syncing',
        'Request: second monitor for reception'];
BEGIN
    FOR t IN SELECT * FROM jsonb_array_elements(cfg) LOOP
        p := t->>'p';
        dom := t->>'domain';
        v_tenant := (p || '0000000-0000-4000-8000-000000000001')::uuid;

        INSERT INTO tenants (tenant, client_name, email, created_at,
                             billing_source, product_code)
        VALUES (v_tenant, t->>'name', 'admin@' || dom, now(), 'stripe', 'psa')
        ON CONFLICT DO NOTHING;

        INSERT INTO tenant_settings (tenant, onboarding_completed,
                                     onboarding_completed_at, settings)
        VALUES (v_tenant, true, now(), '{}'::jsonb)
        ON CONFLICT DO NOTHING;

        PERFORM teams_psa_seed_permissions(v_tenant);

        -- Clients and contacts (2 per client).
        FOR c IN 1..3 LOOP
            INSERT INTO clients (tenant, client_id, client_name, url,
                                 client_type, billing_cycle)
            VALUES (v_tenant,
                    (p || '6000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0'))::uuid,
                    t->'clients'->>(c - 1),
                    'https://www.' || lower(replace(t->'clients'->>(c - 1), ' ', '')) || '.example',
                    'company', 'monthly')
            ON CONFLICT DO NOTHING;
            FOR j IN 1..2 LOOP
                INSERT INTO contacts (tenant, contact_name_id, full_name,
                                      email, role, client_id, is_client_admin)
                VALUES (v_tenant,
                        (p || '7000000-0000-4000-8000-' || lpad(to_hex(2 * c - 2 + j), 12, '0'))::uuid,
                        (ARRAY['Alex', 'Sam', 'Jordan', 'Casey', 'Riley', 'Morgan'])[2 * c - 2 + j]
                            || ' ' || split_part(t->'clients'->>(c - 1), ' ', 1),
                        lower((ARRAY['alex', 'sam', 'jordan', 'casey', 'riley', 'morgan'])[2 * c - 2 + j])
                            || '@' || lower(replace(t->'clients'->>(c - 1), ' ', '')) || '.example',
                        CASE j WHEN 1 THEN 'IT contact' ELSE 'Office manager' END,
                        (p || '6000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0'))::uuid,
                        j = 1)
                ON CONFLICT DO NOTHING;
            END LOOP;
        END LOOP;

        -- Users: 1 admin, 2-4 technicians, 5 dispatcher/approver,
        -- 6 read-only, 7 client-portal user (linked to contact 1).
        FOR u IN
            SELECT * FROM (VALUES
                (1, 'Ada', 'Admin', 'admin', 'internal'),
                (2, 'Tom', 'Tech', 'tom.tech', 'internal'),
                (3, 'Tina', 'Tech', 'tina.tech', 'internal'),
                (4, 'Theo', 'Tech', 'theo.tech', 'internal'),
                (5, 'Dana', 'Dispatcher', 'dana.dispatch', 'internal'),
                (6, 'Rory', 'Reader', 'rory.readonly', 'internal'),
                (7, 'Alex', 'Client', 'alex.client', 'client'))
                AS x (i, first_name, last_name, login, user_type)
        LOOP
            INSERT INTO users (tenant, user_id, username, hashed_password,
                               first_name, last_name, email, user_type,
                               contact_id, timezone, auth_method)
            VALUES (v_tenant,
                    (p || '2000000-0000-4000-8000-' || lpad(to_hex(u.i), 12, '0'))::uuid,
                    u.login || '@' || dom,
                    '!demo-account-no-password',
                    u.first_name, u.last_name, u.login || '@' || dom,
                    u.user_type,
                    CASE WHEN u.user_type = 'client' THEN
                        (p || '7000000-0000-4000-8000-000000000001')::uuid
                    END,
                    'UTC', 'microsoft')
            ON CONFLICT DO NOTHING;

            INSERT INTO user_auth_accounts (tenant, user_id, provider,
                                            provider_account_id,
                                            provider_email, metadata)
            VALUES (v_tenant,
                    (p || '2000000-0000-4000-8000-' || lpad(to_hex(u.i), 12, '0'))::uuid,
                    'microsoft',
                    p || '3000000-0000-4000-8000-' || lpad(to_hex(u.i), 12, '0'),
                    u.login || '@' || dom,
                    jsonb_build_object('tid', t->>'ms_tenant'))
            ON CONFLICT DO NOTHING;
        END LOOP;

        -- Roles (psa-schema.md section 4) plus a custom read-only role.
        INSERT INTO roles (tenant, role_id, role_name, description, msp,
                           client)
        SELECT v_tenant,
               (p || 'e000000-0000-4000-8000-' || lpad(to_hex(r.i), 12, '0'))::uuid,
               r.role_name, r.description, r.msp, r.client
          FROM (VALUES
                (1, 'Admin', 'MSP administrator', true, false),
                (2, 'Finance', 'MSP finance', true, false),
                (3, 'Technician', 'MSP technician', true, false),
                (4, 'Project Manager', 'MSP project manager', true, false),
                (5, 'Dispatcher', 'MSP dispatcher', true, false),
                (6, 'Read Only', 'Read-only MSP access (demo)', true, false),
                (7, 'Admin', 'Client portal administrator', false, true),
                (8, 'Finance', 'Client portal finance', false, true),
                (9, 'User', 'Client portal user', false, true))
               AS r (i, role_name, description, msp, client)
        ON CONFLICT DO NOTHING;

        -- Grants: (role, resource, actions, portal 'msp'|'client').
        -- Admin gets every msp permission.
        INSERT INTO role_permissions (tenant, role_id, permission_id)
        SELECT v_tenant,
               (p || 'e000000-0000-4000-8000-' || lpad(to_hex(g.i), 12, '0'))::uuid,
               pm.permission_id
          FROM (
                SELECT 1 AS i, pm1.resource, pm1.action, true AS msp
                  FROM permissions pm1
                 WHERE pm1.tenant = v_tenant AND pm1.msp
                UNION ALL
                SELECT x.i, x.resource, a.action, x.msp
                  FROM (VALUES
                    -- Finance
                    (2, 'ticket', ARRAY['read', 'update'], true),
                    (2, 'project', ARRAY['read', 'update'], true),
                    (2, 'project_task', ARRAY['read', 'update'], true),
                    (2, 'contact', ARRAY['create', 'read', 'update', 'delete'], true),
                    (2, 'timeentry', ARRAY['create', 'read', 'update', 'delete'], true),
                    (2, 'timesheet', ARRAY['read', 'read_all', 'submit'], true),
                    (2, 'billing_settings', ARRAY['create', 'read', 'update', 'delete'], true),
                    -- Technician
                    (3, 'ticket', ARRAY['create', 'read', 'update'], true),
                    (3, 'project', ARRAY['read'], true),
                    (3, 'project_task', ARRAY['create', 'read', 'update'], true),
                    (3, 'contact', ARRAY['read', 'delete'], true),
                    (3, 'timeentry', ARRAY['create', 'read', 'update'], true),
                    (3, 'timesheet', ARRAY['read', 'update', 'read_all', 'submit'], true),
                    (3, 'ticket_settings', ARRAY['read'], true),
                    (3, 'sla_policy', ARRAY['read'], true),
                    -- Project Manager
                    (4, 'project', ARRAY['create', 'read', 'update', 'delete'], true),
                    (4, 'project_task', ARRAY['create', 'read', 'update', 'delete'], true),
                    (4, 'ticket', ARRAY['create', 'read', 'update'], true),
                    (4, 'contact', ARRAY['create', 'read', 'update'], true),
                    (4, 'timeentry', ARRAY['create', 'read', 'update'], true),
                    (4, 'timesheet', ARRAY['read', 'update', 'read_all', 'submit', 'approve', 'reverse'], true),
                    (4, 'user', ARRAY['read', 'invite'], true),
                    (4, 'sla_policy', ARRAY['read', 'update'], true),
                    -- Dispatcher
                    (5, 'ticket', ARRAY['create', 'read', 'update'], true),
                    (5, 'project', ARRAY['read'], true),
                    (5, 'project_task', ARRAY['read'], true),
                    (5, 'contact', ARRAY['read'], true),
                    (5, 'timeentry', ARRAY['read'], true),
                    (5, 'timesheet', ARRAY['read'], true),
                    (5, 'technician_dispatch', ARRAY['create', 'read', 'update'], true),
                    (5, 'user_schedule', ARRAY['create', 'read', 'update'], true),
                    -- Read Only (custom): read actions only
                    (6, 'ticket', ARRAY['read'], true),
                    (6, 'project', ARRAY['read'], true),
                    (6, 'project_task', ARRAY['read'], true),
                    (6, 'contact', ARRAY['read'], true),
                    (6, 'client', ARRAY['read'], true),
                    (6, 'timeentry', ARRAY['read'], true),
                    (6, 'timesheet', ARRAY['read'], true),
                    -- Client Admin
                    (7, 'ticket', ARRAY['create', 'read', 'update'], false),
                    (7, 'project', ARRAY['create', 'read', 'update', 'delete'], false),
                    (7, 'time_management', ARRAY['create', 'read', 'update', 'delete'], false),
                    (7, 'client', ARRAY['create', 'read', 'update', 'delete'], false),
                    (7, 'user', ARRAY['create', 'read', 'update', 'delete', 'reset_password'], false),
                    -- Client Finance
                    (8, 'client', ARRAY['create', 'read', 'update'], false),
                    (8, 'project', ARRAY['read'], false),
                    (8, 'ticket', ARRAY['create', 'read', 'update'], false),
                    (8, 'time_management', ARRAY['read'], false),
                    (8, 'user', ARRAY['read'], false),
                    -- Client User
                    (9, 'client', ARRAY['create', 'read', 'update'], false),
                    (9, 'project', ARRAY['read'], false),
                    (9, 'ticket', ARRAY['create', 'read', 'update'], false),
                    (9, 'time_management', ARRAY['read'], false))
                    AS x (i, resource, actions, msp),
                  unnest(x.actions) AS a (action)
               ) g
          JOIN permissions pm
            ON pm.tenant = v_tenant AND pm.resource = g.resource
           AND pm.action = g.action
           AND ((g.msp AND pm.msp AND NOT pm.client)
                OR (NOT g.msp AND pm.client AND NOT pm.msp)
                OR (g.i = 1 AND pm.msp))
        ON CONFLICT DO NOTHING;

        -- User roles: the dispatcher also holds Project Manager, which is
        -- the PSA role that grants timesheet:approve.
        INSERT INTO user_roles (tenant, user_id, role_id)
        SELECT v_tenant,
               (p || '2000000-0000-4000-8000-' || lpad(to_hex(x.u), 12, '0'))::uuid,
               (p || 'e000000-0000-4000-8000-' || lpad(to_hex(x.r), 12, '0'))::uuid
          FROM (VALUES (1, 1), (2, 3), (3, 3), (4, 3), (5, 5), (5, 4),
                       (6, 6), (7, 9)) AS x (u, r)
        ON CONFLICT DO NOTHING;

        -- Priorities (ticket 1-4, project task 11-13).
        INSERT INTO priorities (tenant, priority_id, priority_name,
                                created_by, order_number, color, item_type)
        SELECT v_tenant,
               (p || 'a000000-0000-4000-8000-' || lpad(to_hex(x.i), 12, '0'))::uuid,
               x.name, (p || '2000000-0000-4000-8000-000000000001')::uuid,
               x.ord, x.color, x.item_type
          FROM (VALUES (1, 'Low', 10, '#6B7280', 'ticket'),
                       (2, 'Medium', 20, '#3B82F6', 'ticket'),
                       (3, 'High', 30, '#F59E0B', 'ticket'),
                       (4, 'Critical', 40, '#EF4444', 'ticket'),
                       (17, 'Low', 10, '#6B7280', 'project_task'),
                       (18, 'Medium', 20, '#3B82F6', 'project_task'),
                       (19, 'High', 30, '#F59E0B', 'project_task'))
               AS x (i, name, ord, color, item_type)
        ON CONFLICT DO NOTHING;

        -- Boards 1 (default) and 2.
        INSERT INTO boards (tenant, board_id, board_name, is_default,
                            display_order, description, default_priority_id,
                            manager_user_id)
        SELECT v_tenant,
               (p || '8000000-0000-4000-8000-' || lpad(to_hex(x.i), 12, '0'))::uuid,
               x.name, x.i = 1, x.i, x.descr,
               (p || 'a000000-0000-4000-8000-000000000002')::uuid,
               (p || '2000000-0000-4000-8000-000000000005')::uuid
          FROM (VALUES (1, 'General Support', 'Day-to-day service desk'),
                       (2, 'Escalations', 'Second-line and escalated work'))
               AS x (i, name, descr)
        ON CONFLICT DO NOTHING;

        -- Ticket statuses per board (board*16 + k), project statuses
        -- (0x100 + k), project task statuses (0x200 + k).
        INSERT INTO statuses (tenant, status_id, name, status_type,
                              order_number, created_by, is_closed,
                              item_type, is_default, board_id)
        SELECT v_tenant,
               (p || '9000000-0000-4000-8000-' || lpad(to_hex(x.id), 12, '0'))::uuid,
               x.name, x.stype, x.ord,
               (p || '2000000-0000-4000-8000-000000000001')::uuid,
               x.closed, x.stype, x.dflt,
               CASE WHEN x.board > 0 THEN
                   (p || '8000000-0000-4000-8000-' || lpad(to_hex(x.board), 12, '0'))::uuid
               END
          FROM (VALUES
                (16 + 1, 'Open', 'ticket', 1, false, true, 1),
                (16 + 2, 'In Progress', 'ticket', 2, false, false, 1),
                (16 + 3, 'Waiting on Customer', 'ticket', 3, false, false, 1),
                (16 + 4, 'Closed', 'ticket', 4, true, false, 1),
                (32 + 1, 'Open', 'ticket', 1, false, true, 2),
                (32 + 2, 'In Progress', 'ticket', 2, false, false, 2),
                (32 + 3, 'Waiting on Customer', 'ticket', 3, false, false, 2),
                (32 + 4, 'Closed', 'ticket', 4, true, false, 2),
                (256 + 1, 'Planning', 'project', 1, false, true, 0),
                (256 + 2, 'Active', 'project', 2, false, false, 0),
                (256 + 3, 'Completed', 'project', 3, true, false, 0),
                (512 + 1, 'To Do', 'project_task', 1, false, true, 0),
                (512 + 2, 'In Progress', 'project_task', 2, false, false, 0),
                (512 + 3, 'Done', 'project_task', 3, true, false, 0))
               AS x (id, name, stype, ord, closed, dflt, board)
        ON CONFLICT DO NOTHING;

        -- 60 tickets.  Assignment cycles tech 2, 3, 4, unassigned; every
        -- 5th is closed.  Numbers come from generate_next_number (section
        -- 5), only for tickets not yet present, so re-runs use no numbers.
        FOR n IN 1..60 LOOP
            CONTINUE WHEN EXISTS (
                SELECT 1 FROM tickets
                 WHERE tenant = v_tenant
                   AND ticket_id = (p || '5000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid);

            c := ((n - 1) % 3) + 1;
            v_client := (p || '6000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0'))::uuid;
            v_contact := (p || '7000000-0000-4000-8000-' || lpad(to_hex(2 * c - 1 + (n % 2)), 12, '0'))::uuid;
            k := CASE WHEN n % 6 = 0 THEN 2 ELSE 1 END;
            v_board := (p || '8000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid;
            v_closed := n % 5 = 0;
            v_status := (p || '9000000-0000-4000-8000-' || lpad(to_hex(k * 16 +
                         CASE WHEN v_closed THEN 4
                              WHEN n % 7 = 0 THEN 3
                              WHEN n % 3 = 0 THEN 2
                              ELSE 1 END), 12, '0'))::uuid;
            v_assign := CASE n % 4
                            WHEN 0 THEN NULL
                            ELSE (p || '2000000-0000-4000-8000-' || lpad(to_hex(n % 4 + 1), 12, '0'))::uuid
                        END;
            v_when := now() - make_interval(hours => (61 - n) * 7);

            INSERT INTO tickets (tenant, ticket_id, ticket_number, title,
                                 contact_name_id, status_id, priority_id,
                                 entered_by, updated_by, assigned_to,
                                 closed_by, entered_at, updated_at,
                                 closed_at, is_closed, attributes, board_id,
                                 client_id, due_date, ticket_origin,
                                 response_state)
            VALUES (v_tenant,
                    (p || '5000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                    generate_next_number(v_tenant, 'TICKET'),
                    v_titles[((n - 1) % array_length(v_titles, 1)) + 1],
                    v_contact, v_status,
                    (p || 'a000000-0000-4000-8000-' || lpad(to_hex(((n - 1) % 4) + 1), 12, '0'))::uuid,
                    (p || '2000000-0000-4000-8000-000000000005')::uuid,
                    (p || '2000000-0000-4000-8000-000000000005')::uuid,
                    v_assign,
                    CASE WHEN v_closed THEN coalesce(v_assign, (p || '2000000-0000-4000-8000-000000000001')::uuid) END,
                    v_when, v_when + interval '1 hour',
                    CASE WHEN v_closed THEN v_when + interval '1 day' END,
                    v_closed,
                    jsonb_build_object('description',
                        'Demo ticket ' || n || ' reported by the client.'),
                    v_board, v_client,
                    CASE WHEN NOT v_closed THEN v_when + interval '5 days' END,
                    CASE WHEN n % 3 = 0 THEN 'client_portal' ELSE 'internal' END,
                    CASE WHEN v_closed THEN NULL
                         WHEN n % 7 = 0 THEN 'awaiting_client'::ticket_response_state
                         ELSE 'awaiting_internal'::ticket_response_state END);
        END LOOP;

        -- Additional agent on two of tech 3's tickets: tech 2 helps.
        INSERT INTO ticket_resources (tenant, assignment_id, ticket_id,
                                      assigned_to, additional_user_id, role)
        SELECT v_tenant,
               (p || 'f000000-0000-4000-8000-' || lpad(to_hex(1792 + x.n), 12, '0'))::uuid,
               (p || '5000000-0000-4000-8000-' || lpad(to_hex(x.n), 12, '0'))::uuid,
               (p || '2000000-0000-4000-8000-000000000003')::uuid,
               (p || '2000000-0000-4000-8000-000000000002')::uuid,
               'support'
          FROM (VALUES (2), (6)) AS x (n)
        ON CONFLICT DO NOTHING;

        -- A customer comment and an internal reply on tickets 1-8.
        FOR n IN 1..8 LOOP
            c := ((n - 1) % 3) + 1;
            INSERT INTO comment_threads (tenant, thread_id, ticket_id,
                                         root_comment_id, is_internal,
                                         reply_count, last_activity_at)
            VALUES (v_tenant,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(768 + n), 12, '0'))::uuid,
                    (p || '5000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(1024 + n), 12, '0'))::uuid,
                    false, 1, now() - make_interval(hours => 60 - n))
            ON CONFLICT DO NOTHING;

            INSERT INTO comments (tenant, comment_id, ticket_id, user_id,
                                  note, is_internal, is_resolution,
                                  created_at, author_type, contact_id,
                                  thread_id, markdown_content)
            VALUES (v_tenant,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(1024 + n), 12, '0'))::uuid,
                    (p || '5000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                    NULL,
                    'Hi, this is still happening this morning. Can someone take a look?',
                    false, false, now() - make_interval(hours => 62 - n),
                    'client',
                    (p || '7000000-0000-4000-8000-' || lpad(to_hex(2 * c - 1 + (n % 2)), 12, '0'))::uuid,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(768 + n), 12, '0'))::uuid,
                    'Hi, this is still happening this morning. Can someone take a look?')
            ON CONFLICT DO NOTHING;

            INSERT INTO comments (tenant, comment_id, ticket_id, user_id,
                                  note, is_internal, is_resolution,
                                  created_at, author_type, thread_id,
                                  parent_comment_id, markdown_content)
            VALUES (v_tenant,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(1152 + n), 12, '0'))::uuid,
                    (p || '5000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid,
                    (p || '2000000-0000-4000-8000-000000000005')::uuid,
                    'Checked the logs; assigning to the technician on duty.',
                    true, false, now() - make_interval(hours => 60 - n),
                    'internal',
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(768 + n), 12, '0'))::uuid,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(1024 + n), 12, '0'))::uuid,
                    'Checked the logs; assigning to the technician on duty.')
            ON CONFLICT DO NOTHING;
        END LOOP;

        -- Projects (2), phases (2 each: id p*10+k), tasks (3 per phase:
        -- id p*100+k*10+j; j=1 tech 2, j=2 tech 3 with tech 2 as resource,
        -- j=3 unassigned).
        INSERT INTO next_number (tenant, entity_type, last_number,
                                 initial_value, prefix, padding_length)
        VALUES (v_tenant, 'PROJECT', 2, 1, 'PROJECT', 4)
        ON CONFLICT DO NOTHING;

        FOR k IN 1..2 LOOP
            INSERT INTO projects (tenant, project_id, project_name,
                                  description, start_date, end_date, status,
                                  wbs_code, assigned_to, contact_name_id,
                                  budgeted_hours, client_id, project_number)
            VALUES (v_tenant,
                    (p || 'b000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid,
                    (ARRAY['Microsoft 365 migration', 'Network refresh'])[k],
                    (ARRAY['Move mail and files to Microsoft 365',
                           'Replace switches and access points'])[k],
                    now() - interval '14 days', now() + interval '45 days',
                    (p || '9000000-0000-4000-8000-' || lpad(to_hex(256 + 2), 12, '0'))::uuid,
                    k::text,
                    (p || '2000000-0000-4000-8000-000000000005')::uuid,
                    (p || '7000000-0000-4000-8000-' || lpad(to_hex(2 * k - 1), 12, '0'))::uuid,
                    120,
                    (p || '6000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid,
                    'PROJECT' || lpad(k::text, 4, '0'))
            ON CONFLICT DO NOTHING;

            FOR j IN 1..2 LOOP
                INSERT INTO project_phases (tenant, phase_id, project_id,
                                            phase_name, description,
                                            start_date, end_date, status,
                                            order_number, wbs_code)
                VALUES (v_tenant,
                        (p || 'c000000-0000-4000-8000-' || lpad(to_hex(k * 10 + j), 12, '0'))::uuid,
                        (p || 'b000000-0000-4000-8000-' || lpad(to_hex(k), 12, '0'))::uuid,
                        (ARRAY['Discovery', 'Delivery'])[j],
                        (ARRAY['Inventory and planning', 'Cut-over and hand-over'])[j],
                        now() - interval '14 days' + make_interval(days => (j - 1) * 21),
                        now() + make_interval(days => j * 21),
                        CASE j WHEN 1 THEN 'In Progress' ELSE 'Not Started' END,
                        j, k || '.' || j)
                ON CONFLICT DO NOTHING;

                FOR c IN 1..3 LOOP
                    INSERT INTO project_tasks (tenant, task_id, phase_id,
                                               task_name, description,
                                               assigned_to, estimated_hours,
                                               due_date, status_id, wbs_code,
                                               priority_id)
                    VALUES (v_tenant,
                            (p || 'd000000-0000-4000-8000-' || lpad(to_hex(k * 100 + j * 10 + c), 12, '0'))::uuid,
                            (p || 'c000000-0000-4000-8000-' || lpad(to_hex(k * 10 + j), 12, '0'))::uuid,
                            (ARRAY['Audit current setup', 'Prepare change plan', 'Customer sign-off'])[c]
                                || ' (' || (ARRAY['Discovery', 'Delivery'])[j] || ')',
                            'Demo project task',
                            CASE c
                                WHEN 1 THEN (p || '2000000-0000-4000-8000-000000000002')::uuid
                                WHEN 2 THEN (p || '2000000-0000-4000-8000-000000000003')::uuid
                            END,
                            (c * 4 * 60)::bigint,
                            now() + make_interval(days => j * 7 + c),
                            (p || '9000000-0000-4000-8000-' || lpad(to_hex(512 + CASE WHEN c = 1 THEN 2 ELSE 1 END), 12, '0'))::uuid,
                            k || '.' || j || '.' || c,
                            (p || 'a000000-0000-4000-8000-' || lpad(to_hex(17 + c - 1), 12, '0'))::uuid)
                    ON CONFLICT DO NOTHING;
                END LOOP;

                INSERT INTO task_resources (tenant, assignment_id, task_id,
                                            assigned_to, additional_user_id,
                                            role)
                VALUES (v_tenant,
                        (p || 'f000000-0000-4000-8000-' || lpad(to_hex(4096 + k * 100 + j * 10 + 2), 12, '0'))::uuid,
                        (p || 'd000000-0000-4000-8000-' || lpad(to_hex(k * 100 + j * 10 + 2), 12, '0'))::uuid,
                        (p || '2000000-0000-4000-8000-000000000003')::uuid,
                        (p || '2000000-0000-4000-8000-000000000002')::uuid,
                        'support')
                ON CONFLICT DO NOTHING;
            END LOOP;
        END LOOP;

        -- Weekly time periods: two weeks ago (closed), last week, this week.
        FOR k IN 0..2 LOOP
            INSERT INTO time_periods (tenant, period_id, start_date,
                                      end_date, is_closed)
            VALUES (v_tenant,
                    (p || 'f000000-0000-4000-8000-' || lpad(to_hex(256 + k), 12, '0'))::uuid,
                    v_week + (k - 2) * 7, v_week + (k - 2) * 7 + 6, k = 0)
            ON CONFLICT DO NOTHING;
        END LOOP;

        -- Time sheets: 1 tech 2 last week SUBMITTED, 2 tech 3 last week
        -- SUBMITTED, 3 tech 4 two weeks ago APPROVED, 4 tech 2 this week
        -- DRAFT.
        INSERT INTO time_sheets (tenant, id, user_id, period_id,
                                 approval_status, submitted_at, approved_at,
                                 approved_by)
        SELECT v_tenant,
               (p || '4000000-0000-4000-8000-' || lpad(to_hex(x.i), 12, '0'))::uuid,
               (p || '2000000-0000-4000-8000-' || lpad(to_hex(x.u), 12, '0'))::uuid,
               (p || 'f000000-0000-4000-8000-' || lpad(to_hex(256 + x.per), 12, '0'))::uuid,
               x.st::approvalstatus,
               CASE WHEN x.st <> 'DRAFT' THEN now() - interval '1 day' END,
               CASE WHEN x.st = 'APPROVED' THEN now() - interval '6 days' END,
               CASE WHEN x.st = 'APPROVED' THEN
                   (p || '2000000-0000-4000-8000-000000000005')::uuid END
          FROM (VALUES (1, 2, 1, 'SUBMITTED'), (2, 3, 1, 'SUBMITTED'),
                       (3, 4, 0, 'APPROVED'), (4, 2, 2, 'DRAFT'))
               AS x (i, u, per, st)
        ON CONFLICT DO NOTHING;

        -- Time entries: sheet 1 gets 5 ticket entries (Mon-Fri) and one
        -- project task entry; sheet 2 three; sheet 3 two; sheet 4 one.
        INSERT INTO time_entries (tenant, entry_id, user_id, start_time,
                                  end_time, notes, work_item_id,
                                  billable_duration, work_item_type,
                                  approval_status, time_sheet_id, created_at,
                                  updated_at, work_date, work_timezone,
                                  created_by, updated_by)
        SELECT v_tenant,
               (p || 'f000000-0000-4000-8000-' || lpad(to_hex(512 + x.i), 12, '0'))::uuid,
               (p || '2000000-0000-4000-8000-' || lpad(to_hex(x.u), 12, '0'))::uuid,
               (x.d + time '09:00') AT TIME ZONE 'UTC',
               (x.d + time '09:00') AT TIME ZONE 'UTC' + make_interval(mins => x.mins),
               x.notes,
               CASE x.wtype
                   WHEN 'ticket' THEN (p || '5000000-0000-4000-8000-' || lpad(to_hex(x.item), 12, '0'))::uuid
                   ELSE (p || 'd000000-0000-4000-8000-' || lpad(to_hex(x.item), 12, '0'))::uuid
               END,
               x.mins, x.wtype, x.st::approvalstatus,
               (p || '4000000-0000-4000-8000-' || lpad(to_hex(x.sheet), 12, '0'))::uuid,
               now(), now(), x.d, 'UTC',
               (p || '2000000-0000-4000-8000-' || lpad(to_hex(x.u), 12, '0'))::uuid,
               (p || '2000000-0000-4000-8000-' || lpad(to_hex(x.u), 12, '0'))::uuid
          FROM (VALUES
                (1, 1, 2, v_week - 7, 'ticket', 1, 90, 'SUBMITTED', 'Investigated password prompts, rebuilt profile'),
                (2, 1, 2, v_week - 6, 'ticket', 9, 60, 'SUBMITTED', 'Reset MFA and verified sign-in'),
                (3, 1, 2, v_week - 5, 'ticket', 13, 120, 'SUBMITTED', 'Phishing triage and mailbox search'),
                (4, 1, 2, v_week - 4, 'ticket', 17, 45, 'SUBMITTED', 'Remote session with user'),
                (5, 1, 2, v_week - 3, 'ticket', 21, 75, 'SUBMITTED', 'Follow-up and documentation'),
                (6, 1, 2, v_week - 3, 'project_task', 111, 60, 'SUBMITTED', 'Audit of current tenant setup'),
                (7, 2, 3, v_week - 7, 'ticket', 2, 60, 'SUBMITTED', 'VPN client reinstall'),
                (8, 2, 3, v_week - 6, 'ticket', 6, 90, 'SUBMITTED', 'Backup job re-run and verify'),
                (9, 2, 3, v_week - 5, 'project_task', 112, 120, 'SUBMITTED', 'Change plan draft'),
                (10, 3, 4, v_week - 14, 'ticket', 3, 30, 'APPROVED', 'Laptop imaging'),
                (11, 3, 4, v_week - 13, 'ticket', 7, 45, 'APPROVED', 'Printer driver update'),
                (12, 4, 2, v_week, 'ticket', 1, 30, 'DRAFT', 'Call with client'))
               AS x (i, sheet, u, d, wtype, item, mins, st, notes)
        ON CONFLICT DO NOTHING;

        INSERT INTO time_sheet_comments (comment_id, time_sheet_id, user_id,
                                         comment, created_at, is_approver,
                                         tenant)
        VALUES ((p || 'f000000-0000-4000-8000-' || lpad(to_hex(640 + 1), 12, '0'))::uuid,
                (p || '4000000-0000-4000-8000-000000000001')::uuid,
                (p || '2000000-0000-4000-8000-000000000002')::uuid,
                'All entries for last week; Friday afternoon was training.',
                now() - interval '1 day', false, v_tenant)
        ON CONFLICT DO NOTHING;
    END LOOP;
END
$seed$;

-- API keys (SHA-256 hex of the plaintext, as the PSA stores them) --------

INSERT INTO api_keys (api_key_id, api_key, user_id, tenant, description,
                      active, purpose)
VALUES ('af000000-0000-4000-8000-000000000501',
        encode(sha256(convert_to(:'admin_api_key_a', 'UTF8')), 'hex'),
        'a2000000-0000-4000-8000-000000000001',
        'a0000000-0000-4000-8000-000000000001',
        'Demo admin API key (tenant A)', true, 'general'),
       ('bf000000-0000-4000-8000-000000000501',
        encode(sha256(convert_to(:'admin_api_key_b', 'UTF8')), 'hex'),
        'b2000000-0000-4000-8000-000000000001',
        'b0000000-0000-4000-8000-000000000001',
        'Demo admin API key (tenant B)', true, 'general')
ON CONFLICT (tenant, api_key_id)
    DO UPDATE SET api_key = EXCLUDED.api_key, updated_at = now();

INSERT INTO api_keys (api_key_id, api_key, user_id, tenant, description,
                      active, purpose)
SELECT 'af000000-0000-4000-8000-000000000502',
       encode(sha256(convert_to(:'readonly_api_key_a', 'UTF8')), 'hex'),
       'a2000000-0000-4000-8000-000000000006',
       'a0000000-0000-4000-8000-000000000001',
       'Demo read-only API key (tenant A)', true, 'general'
 WHERE :'readonly_api_key_a' <> ''
ON CONFLICT (tenant, api_key_id)
    DO UPDATE SET api_key = EXCLUDED.api_key, updated_at = now();

-- Tenant A: Teams add-on, Microsoft profile, bindings, integration --------

INSERT INTO tenant_addons (tenant, addon_key, activated_at, expires_at,
                           metadata)
VALUES ('a0000000-0000-4000-8000-000000000001', 'teams', now(), NULL,
        '{"source": "demo"}'::jsonb)
ON CONFLICT DO NOTHING;

INSERT INTO microsoft_profiles (tenant, profile_id, display_name,
                                display_name_normalized, client_id,
                                tenant_id, client_secret_ref, is_default,
                                created_by, updated_by)
VALUES ('a0000000-0000-4000-8000-000000000001',
        'a1000000-0000-4000-8000-000000000001',
        'Northwind Teams app', 'northwind teams app',
        'a99a0000-0000-4000-8000-00000000000a',
        'ad0a0000-0000-4000-8000-00000000000a',
        :'secret_ciphertext_a', true,
        'a2000000-0000-4000-8000-000000000001',
        'a2000000-0000-4000-8000-000000000001')
ON CONFLICT (tenant, profile_id) DO UPDATE
    SET client_secret_ref = EXCLUDED.client_secret_ref, updated_at = now()
    WHERE EXCLUDED.client_secret_ref <> ''
      AND microsoft_profiles.client_secret_ref
          IS DISTINCT FROM EXCLUDED.client_secret_ref;

INSERT INTO microsoft_profile_consumer_bindings (tenant, consumer_type,
                                                 profile_id, created_by)
SELECT 'a0000000-0000-4000-8000-000000000001', c.consumer_type,
       'a1000000-0000-4000-8000-000000000001',
       'a2000000-0000-4000-8000-000000000001'
  FROM (VALUES ('msp_sso'), ('email'), ('calendar'), ('teams'))
       AS c (consumer_type)
ON CONFLICT DO NOTHING;

INSERT INTO teams_integrations (tenant, selected_profile_id, install_status,
                                enabled_capabilities,
                                notification_categories, allowed_actions,
                                created_by, updated_by, app_id, bot_id,
                                notification_channels)
VALUES ('a0000000-0000-4000-8000-000000000001',
        'a1000000-0000-4000-8000-000000000001', 'active',
        '["personal_tab", "personal_bot", "group_chat_bot", "message_extension", "activity_notifications"]'::jsonb,
        '["assignment", "customer_reply", "approval_request", "escalation", "sla_risk"]'::jsonb,
        '["assign_ticket", "add_note", "reply_to_contact", "log_time", "approval_response"]'::jsonb,
        'a2000000-0000-4000-8000-000000000001',
        'a2000000-0000-4000-8000-000000000001',
        'a99a0000-0000-4000-8000-00000000000a',
        'a99a0000-0000-4000-8000-00000000000a',
        '{"assignment": "activity_feed", "customer_reply": "both", "approval_request": "both", "escalation": "activity_feed", "sla_risk": "activity_feed"}'::jsonb)
ON CONFLICT DO NOTHING;

-- Personal-chat conversation references at the stand-in (only with
-- -v mock_url=...).
INSERT INTO teams_conversation_references (tenant, microsoft_user_id,
                                           conversation_id,
                                           conversation_type, service_url,
                                           tenant_id_aad,
                                           channel_id_bot_framework,
                                           last_activity_at)
SELECT 'a0000000-0000-4000-8000-000000000001', x.oid, x.conv, 'personal',
       rtrim(:'mock_url', '/') || '/',
       'ad0a0000-0000-4000-8000-00000000000a', 'msteams', now()
  FROM (VALUES ('a3000000-0000-4000-8000-000000000002',
                'a:demo-personal-tech-a'),
               ('a3000000-0000-4000-8000-000000000005',
                'a:demo-personal-approver-a')) AS x (oid, conv)
 WHERE :'mock_url' <> ''
ON CONFLICT DO NOTHING;

COMMIT;

-- planner statistics now, as a database in use has them, rather than
-- whenever autovacuum comes by: the first plans are made with them
ANALYZE;
