-- 0001_psa_core.sql
--
-- The subset of the PSA (Alga PSA) schema that ngx_teams_module reads and
-- writes, for stand-alone installs, tests and the demo stack.  Table names,
-- column names, types, defaults, CHECK values and constraint names follow
-- the PSA's effective schema (see sql/README.md for the few deliberate
-- differences).  In a real PSA database every object here already exists:
-- every statement is create-if-missing, so this file is harmless there and
-- safe to re-run.
--
-- Tenancy: every table carries `tenant uuid`; foreign keys we create are
-- composite and start with tenant (the Citus form of the PSA schema).
-- Foreign keys to PSA tables outside this subset (categories, severities,
-- sla_policies, teams, service_catalog, ...) are left out; the columns exist.

-- Enums (psa-schema.md section 3) ---------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n
                   ON n.oid = t.typnamespace
                   WHERE t.typname = 'approvalstatus'
                     AND n.nspname = current_schema()) THEN
        CREATE TYPE approvalstatus AS ENUM
            ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED',
             'CHANGES_REQUESTED');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n
                   ON n.oid = t.typnamespace
                   WHERE t.typname = 'comment_author_type'
                     AND n.nspname = current_schema()) THEN
        CREATE TYPE comment_author_type AS ENUM
            ('internal', 'client', 'unknown');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n
                   ON n.oid = t.typnamespace
                   WHERE t.typname = 'ticket_response_state'
                     AND n.nspname = current_schema()) THEN
        CREATE TYPE ticket_response_state AS ENUM
            ('awaiting_client', 'awaiting_internal');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n
                   ON n.oid = t.typnamespace
                   WHERE t.typname = 'frequency_unit_enum'
                     AND n.nspname = current_schema()) THEN
        CREATE TYPE frequency_unit_enum AS ENUM
            ('day', 'week', 'month', 'year');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n
                   ON n.oid = t.typnamespace
                   WHERE t.typname = 'item_type'
                     AND n.nspname = current_schema()) THEN
        CREATE TYPE item_type AS ENUM ('project', 'project_task', 'ticket');
    END IF;
END
$$;

-- comments.note_index is generated from process_large_lexemes(note) in the
-- PSA.  Provide an equivalent only when the PSA's own is absent: a
-- tsvector of the note with lexemes longer than the tsvector limit dropped.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n
                   ON n.oid = p.pronamespace
                   WHERE p.proname = 'process_large_lexemes'
                     AND n.nspname = current_schema()) THEN
        CREATE FUNCTION process_large_lexemes(input_text text)
        RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS 'SELECT to_tsvector(''english''::regconfig,
                   left(coalesce(input_text, ''''), 500000))';
    END IF;
END
$$;

-- 2.1 Identity & RBAC ---------------------------------------------------

CREATE TABLE IF NOT EXISTS tenants (
    tenant                uuid NOT NULL DEFAULT gen_random_uuid(),
    client_name           text NOT NULL,
    phone_number          text,
    email                 text NOT NULL,
    industry              text,
    created_at            timestamptz,
    updated_at            timestamptz DEFAULT CURRENT_TIMESTAMP,
    payment_platform_id   text,
    payment_method_id     text,
    auth_service_id       text,
    plan                  text,
    tax_id_number         varchar(255),
    licensed_user_count   integer,
    last_license_update   timestamptz,
    stripe_event_id       varchar(255),
    billing_source        text NOT NULL DEFAULT 'stripe'::text,
    product_code          text DEFAULT 'psa'::text,
    suspended_at          timestamptz,
    suspended_reason      text,
    CONSTRAINT tenants_pkey PRIMARY KEY (tenant),
    CONSTRAINT tenants_product_code_check CHECK ((product_code IS NOT NULL)
        AND product_code = ANY (ARRAY['psa'::text, 'algadesk'::text])),
    CONSTRAINT tenants_suspended_reason_check CHECK (
        ((suspended_at IS NULL) AND (suspended_reason IS NULL))
        OR ((suspended_at IS NOT NULL)
            AND (suspended_reason = 'tenant_cancelled'::text)))
);

CREATE TABLE IF NOT EXISTS clients (
    tenant                      uuid NOT NULL,
    client_id                   uuid NOT NULL DEFAULT gen_random_uuid(),
    client_name                 text NOT NULL,
    url                         text,
    properties                  jsonb,
    billing_type                text,
    payment_terms               text,
    credit_limit                bigint,
    preferred_payment_method    text,
    auto_invoice                boolean DEFAULT false,
    invoice_delivery_method     text,
    created_at                  timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at                  timestamptz DEFAULT CURRENT_TIMESTAMP,
    is_inactive                 boolean DEFAULT false,
    client_type                 text NOT NULL DEFAULT 'company'::text,
    is_tax_exempt               boolean NOT NULL DEFAULT false,
    tax_exemption_certificate   varchar(255),
    tax_id_number               varchar(255),
    notes                       text,
    billing_cycle               text NOT NULL DEFAULT 'monthly'::text,
    timezone                    varchar(255),
    notes_document_id           uuid,
    invoice_template_id         uuid,
    billing_contact_id          uuid,
    billing_email               varchar(255),
    region_code                 varchar(255),
    account_manager_id          uuid,
    default_currency_code       varchar(3) NOT NULL
                                DEFAULT 'USD'::character varying,
    sla_policy_id               uuid,
    entra_tenant_id             text,
    entra_primary_domain        text,
    inbound_ticket_defaults_id  uuid,
    lifecycle_status            text NOT NULL DEFAULT 'active'::text,
    CONSTRAINT clients_pkey PRIMARY KEY (tenant, client_id),
    CONSTRAINT clients_client_id_unique UNIQUE (client_id),
    CONSTRAINT clients_tenant_client_name_unique UNIQUE (tenant, client_name),
    CONSTRAINT clients_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT clients_billing_cycle_check CHECK (billing_cycle = ANY (ARRAY[
        'weekly'::text, 'bi-weekly'::text, 'monthly'::text,
        'quarterly'::text, 'semi-annually'::text, 'annually'::text])),
    CONSTRAINT clients_client_type_check CHECK (client_type = ANY (ARRAY[
        'company'::text, 'individual'::text])),
    CONSTRAINT clients_lifecycle_status_check CHECK (lifecycle_status = ANY (
        ARRAY['prospect'::text, 'active'::text, 'former'::text]))
);

CREATE TABLE IF NOT EXISTS contacts (
    tenant                        uuid NOT NULL,
    contact_name_id               uuid NOT NULL DEFAULT gen_random_uuid(),
    full_name                     text,
    email                         text,
    role                          text,
    approver                      boolean,
    created_at                    timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at                    timestamptz DEFAULT CURRENT_TIMESTAMP,
    is_inactive                   boolean DEFAULT false,
    notes                         text,
    is_client_admin               boolean NOT NULL DEFAULT false,
    client_id                     uuid,
    notes_document_id             uuid,
    entra_object_id               text,
    entra_sync_source             text,
    last_entra_sync_at            timestamptz,
    entra_user_principal_name     text,
    entra_account_enabled         boolean,
    entra_sync_status             text,
    entra_sync_status_reason      text,
    inbound_ticket_defaults_id    uuid,
    portal_visibility_group_id    uuid,
    primary_email_canonical_type  text,
    primary_email_custom_type_id  uuid,
    CONSTRAINT contacts_pkey PRIMARY KEY (tenant, contact_name_id),
    CONSTRAINT contacts_tenant_email_unique UNIQUE (tenant, email),
    CONSTRAINT contacts_tenant_client_id_foreign FOREIGN KEY
        (tenant, client_id) REFERENCES clients (tenant, client_id),
    CONSTRAINT contacts_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

CREATE TABLE IF NOT EXISTS users (
    tenant                          uuid NOT NULL,
    user_id                         uuid NOT NULL DEFAULT gen_random_uuid(),
    username                        text NOT NULL,
    hashed_password                 text NOT NULL,
    first_name                      text,
    last_name                       text,
    date_of_birth                   timestamptz,
    email                           text NOT NULL,
    icon                            text,
    auth_method                     text,
    created_at                      timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at                      timestamptz DEFAULT CURRENT_TIMESTAMP,
    two_factor_enabled              boolean DEFAULT false,
    two_factor_secret               text,
    is_google_user                  boolean DEFAULT false,
    rate                            bigint,
    is_inactive                     boolean DEFAULT false,
    user_type                       text NOT NULL DEFAULT 'internal'::text,
    contact_id                      uuid,
    needs_contact_association       boolean DEFAULT false,
    phone                           varchar(255),
    timezone                        varchar(255),
    last_login_at                   timestamptz,
    last_login_method               varchar(50),
    two_factor_required_new_device  boolean DEFAULT false,
    reports_to                      uuid,
    client_portal_entra_metadata    jsonb,
    phone_extension                 text,
    CONSTRAINT users_pkey PRIMARY KEY (tenant, user_id, email),
    CONSTRAINT users_tenant_user_id_unique UNIQUE (tenant, user_id),
    CONSTRAINT users_tenant_contact_id_foreign FOREIGN KEY
        (tenant, contact_id) REFERENCES contacts (tenant, contact_name_id),
    CONSTRAINT users_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT users_tenant_reports_to_foreign FOREIGN KEY
        (tenant, reports_to) REFERENCES users (tenant, user_id),
    CONSTRAINT users_user_type_check CHECK (user_type = ANY (ARRAY[
        'internal'::text, 'client'::text]))
);

CREATE TABLE IF NOT EXISTS user_auth_accounts (
    tenant               uuid NOT NULL,
    user_id              uuid NOT NULL,
    provider             text NOT NULL,
    provider_account_id  text NOT NULL,
    provider_email       text,
    metadata             jsonb DEFAULT '{}'::jsonb,
    linked_at            timestamptz DEFAULT CURRENT_TIMESTAMP,
    last_used_at         timestamptz,
    created_at           timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at           timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT user_auth_accounts_pkey PRIMARY KEY (tenant, user_id, provider),
    CONSTRAINT user_auth_accounts_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT user_auth_accounts_tenant_user_id_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id)
);

-- The PSA's lookup index (not unique).  Our identity lookup is
-- (provider, provider_account_id) within the tenant the token maps to.
CREATE INDEX IF NOT EXISTS user_auth_accounts_provider_account_idx
    ON user_auth_accounts (tenant, provider, provider_account_id);

CREATE TABLE IF NOT EXISTS roles (
    tenant       uuid NOT NULL,
    role_id      uuid NOT NULL DEFAULT gen_random_uuid(),
    role_name    text NOT NULL,
    description  text,
    created_at   timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at   timestamptz DEFAULT CURRENT_TIMESTAMP,
    msp          boolean NOT NULL DEFAULT true,
    client       boolean NOT NULL DEFAULT false,
    CONSTRAINT roles_pkey PRIMARY KEY (tenant, role_id),
    CONSTRAINT roles_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

CREATE TABLE IF NOT EXISTS permissions (
    tenant         uuid NOT NULL,
    permission_id  uuid NOT NULL DEFAULT gen_random_uuid(),
    resource       text NOT NULL,
    action         text NOT NULL,
    created_at     timestamptz DEFAULT CURRENT_TIMESTAMP,
    msp            boolean NOT NULL DEFAULT true,
    client         boolean NOT NULL DEFAULT false,
    description    text,
    CONSTRAINT permissions_pkey PRIMARY KEY (tenant, permission_id),
    CONSTRAINT permissions_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

CREATE TABLE IF NOT EXISTS role_permissions (
    tenant         uuid NOT NULL,
    role_id        uuid NOT NULL,
    permission_id  uuid NOT NULL,
    created_at     timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT role_permissions_pkey PRIMARY KEY
        (tenant, role_id, permission_id),
    CONSTRAINT role_permissions_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT role_permissions_tenant_permission_id_foreign FOREIGN KEY
        (tenant, permission_id) REFERENCES permissions (tenant, permission_id),
    CONSTRAINT role_permissions_tenant_role_id_foreign FOREIGN KEY
        (tenant, role_id) REFERENCES roles (tenant, role_id)
);

CREATE TABLE IF NOT EXISTS user_roles (
    tenant      uuid NOT NULL,
    user_id     uuid NOT NULL,
    role_id     uuid NOT NULL,
    created_at  timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT user_roles_pkey PRIMARY KEY (tenant, user_id, role_id),
    CONSTRAINT user_roles_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT user_roles_tenant_role_id_foreign FOREIGN KEY
        (tenant, role_id) REFERENCES roles (tenant, role_id),
    CONSTRAINT user_roles_tenant_user_id_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id)
);

-- 2.2 Tickets & CRM -----------------------------------------------------

CREATE TABLE IF NOT EXISTS priorities (
    tenant                 uuid NOT NULL,
    priority_id            uuid NOT NULL DEFAULT gen_random_uuid(),
    priority_name          text NOT NULL,
    created_by             uuid NOT NULL,
    created_at             timestamptz DEFAULT CURRENT_TIMESTAMP,
    order_number           integer DEFAULT 50,
    color                  text DEFAULT '#6B7280'::text,
    item_type              text DEFAULT 'ticket'::text,
    updated_at             timestamptz DEFAULT CURRENT_TIMESTAMP,
    is_from_itil_standard  boolean DEFAULT false,
    itil_priority_level    integer,
    CONSTRAINT priorities_pkey PRIMARY KEY (tenant, priority_id),
    CONSTRAINT priorities_tenant_name_type_unique UNIQUE
        (tenant, priority_name, item_type),
    CONSTRAINT priorities_tenant_created_by_foreign FOREIGN KEY
        (tenant, created_by) REFERENCES users (tenant, user_id),
    CONSTRAINT priorities_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT priorities_item_type_check CHECK (item_type = ANY (ARRAY[
        'ticket'::text, 'project_task'::text]))
);

CREATE TABLE IF NOT EXISTS boards (
    tenant                                    uuid NOT NULL,
    board_id                                  uuid NOT NULL
                                              DEFAULT gen_random_uuid(),
    board_name                                text NOT NULL,
    display_contact_name_id                   boolean DEFAULT true,
    display_priority                          boolean DEFAULT true,
    display_severity                          boolean DEFAULT true,
    display_urgency                           boolean DEFAULT true,
    display_impact                            boolean DEFAULT true,
    display_category                          boolean DEFAULT true,
    display_subcategory                       boolean DEFAULT true,
    display_assigned_to                       boolean DEFAULT true,
    display_status                            boolean DEFAULT true,
    display_due_date                          boolean DEFAULT true,
    is_inactive                               boolean DEFAULT false,
    is_default                                boolean DEFAULT false,
    display_itil_impact                       boolean DEFAULT false,
    display_itil_urgency                      boolean DEFAULT false,
    category_type                             text DEFAULT 'custom'::text,
    priority_type                             text DEFAULT 'custom'::text,
    display_order                             integer NOT NULL DEFAULT 0,
    description                               text,
    default_assigned_to                       uuid,
    default_priority_id                       uuid,
    sla_policy_id                             uuid,
    manager_user_id                           uuid,
    default_assigned_team_id                  uuid,
    enable_live_ticket_timer                  boolean NOT NULL DEFAULT true,
    inbound_reply_reopen_enabled              boolean NOT NULL DEFAULT false,
    inbound_reply_reopen_cutoff_hours         integer NOT NULL DEFAULT 168,
    inbound_reply_reopen_status_id            uuid,
    inbound_reply_ai_ack_suppression_enabled  boolean NOT NULL DEFAULT false,
    is_pinned                                 boolean NOT NULL DEFAULT false,
    list_view_settings                        jsonb,
    CONSTRAINT boards_pkey PRIMARY KEY (tenant, board_id),
    CONSTRAINT boards_default_priority_fk FOREIGN KEY
        (tenant, default_priority_id)
        REFERENCES priorities (tenant, priority_id),
    CONSTRAINT boards_manager_user_id_foreign FOREIGN KEY
        (tenant, manager_user_id) REFERENCES users (tenant, user_id),
    CONSTRAINT boards_tenant_default_assigned_to_foreign FOREIGN KEY
        (tenant, default_assigned_to) REFERENCES users (tenant, user_id),
    CONSTRAINT boards_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT boards_category_type_check CHECK (category_type = ANY (ARRAY[
        'custom'::text, 'itil'::text])),
    CONSTRAINT boards_priority_type_check CHECK (priority_type = ANY (ARRAY[
        'custom'::text, 'itil'::text]))
);

CREATE TABLE IF NOT EXISTS statuses (
    tenant        uuid NOT NULL,
    status_id     uuid NOT NULL DEFAULT gen_random_uuid(),
    name          text NOT NULL,
    status_type   text NOT NULL,
    order_number  integer NOT NULL,
    created_by    uuid,
    created_at    timestamptz DEFAULT CURRENT_TIMESTAMP,
    is_closed     boolean NOT NULL DEFAULT false,
    item_type     text,
    is_default    boolean DEFAULT false,
    color         varchar(7),
    icon          varchar(50),
    board_id      uuid,
    CONSTRAINT statuses_pkey PRIMARY KEY (tenant, status_id),
    CONSTRAINT statuses_tenant_board_id_fk FOREIGN KEY (tenant, board_id)
        REFERENCES boards (tenant, board_id),
    CONSTRAINT statuses_tenant_created_by_foreign FOREIGN KEY
        (tenant, created_by) REFERENCES users (tenant, user_id),
    CONSTRAINT statuses_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT statuses_item_type_check CHECK (item_type = ANY (ARRAY[
        'project'::text, 'project_task'::text, 'ticket'::text,
        'interaction'::text])),
    CONSTRAINT statuses_status_type_check CHECK (status_type = ANY (ARRAY[
        'project'::text, 'ticket'::text, 'project_task'::text,
        'interaction'::text]))
);

CREATE UNIQUE INDEX IF NOT EXISTS statuses_non_ticket_name_unique_idx
    ON statuses (tenant, status_type, name)
    WHERE (status_type <> 'ticket'::text);
CREATE UNIQUE INDEX IF NOT EXISTS statuses_non_ticket_order_unique_idx
    ON statuses (tenant, status_type, order_number)
    WHERE (status_type <> 'ticket'::text);
CREATE UNIQUE INDEX IF NOT EXISTS statuses_ticket_board_default_unique_idx
    ON statuses (tenant, board_id)
    WHERE ((status_type = 'ticket'::text) AND (is_default = true));
CREATE UNIQUE INDEX IF NOT EXISTS statuses_ticket_board_name_unique_idx
    ON statuses (tenant, board_id, name)
    WHERE (status_type = 'ticket'::text);
CREATE UNIQUE INDEX IF NOT EXISTS statuses_ticket_board_order_unique_idx
    ON statuses (tenant, board_id, order_number)
    WHERE (status_type = 'ticket'::text);

-- boards <-> statuses reference each other; add the second edge afterwards.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conname = 'boards_inbound_reply_reopen_status_fk'
                     AND conrelid = 'boards'::regclass) THEN
        ALTER TABLE boards ADD CONSTRAINT boards_inbound_reply_reopen_status_fk
            FOREIGN KEY (tenant, inbound_reply_reopen_status_id)
            REFERENCES statuses (tenant, status_id);
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS tickets (
    tenant                   uuid NOT NULL,
    ticket_id                uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_number            text NOT NULL,
    title                    text,
    url                      text,
    contact_name_id          uuid,
    status_id                uuid,
    category_id              uuid,
    subcategory_id           uuid,
    priority_id              uuid,
    severity_id              uuid,
    urgency_id               uuid,
    impact_id                uuid,
    entered_by               uuid,
    updated_by               uuid,
    assigned_to              uuid,
    closed_by                uuid,
    entered_at               timestamptz,
    updated_at               timestamptz DEFAULT CURRENT_TIMESTAMP,
    closed_at                timestamptz,
    is_closed                boolean NOT NULL DEFAULT false,
    attributes               jsonb,
    title_index              tsvector GENERATED ALWAYS AS
                             (to_tsvector('english'::regconfig, title)) STORED,
    due_date                 timestamptz,
    location_id              uuid,
    email_metadata           jsonb,
    itil_impact              integer,
    itil_urgency             integer,
    itil_priority_level      integer,
    escalated                boolean DEFAULT false,
    escalation_level         integer,
    escalated_at             timestamptz,
    escalated_by             uuid,
    board_id                 uuid,
    client_id                uuid NOT NULL,
    response_state           ticket_response_state,
    master_ticket_id         uuid,
    source                   text,
    ticket_origin            text DEFAULT 'internal'::text,
    sla_policy_id            uuid,
    sla_started_at           timestamptz,
    sla_response_due_at      timestamptz,
    sla_response_at          timestamptz,
    sla_response_met         boolean,
    sla_resolution_due_at    timestamptz,
    sla_resolution_at        timestamptz,
    sla_resolution_met       boolean,
    sla_paused_at            timestamptz,
    sla_total_pause_minutes  integer NOT NULL DEFAULT 0,
    assigned_team_id         uuid,
    billing_profile_id       uuid,
    CONSTRAINT tickets_pkey PRIMARY KEY (tenant, ticket_id),
    CONSTRAINT tickets_tenant_ticket_id_assigned_to_unique UNIQUE
        (tenant, ticket_id, assigned_to),
    CONSTRAINT tickets_tenant_ticket_number_unique UNIQUE
        (tenant, ticket_number),
    CONSTRAINT tickets_tenant_client_id_foreign FOREIGN KEY
        (tenant, client_id) REFERENCES clients (tenant, client_id),
    CONSTRAINT tickets_tenant_contact_name_id_foreign FOREIGN KEY
        (tenant, contact_name_id) REFERENCES contacts (tenant, contact_name_id),
    CONSTRAINT tickets_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT tickets_tenant_status_id_foreign FOREIGN KEY
        (tenant, status_id) REFERENCES statuses (tenant, status_id),
    CONSTRAINT tickets_escalation_level_check CHECK
        ((escalation_level >= 1) AND (escalation_level <= 3)),
    CONSTRAINT tickets_itil_impact_check CHECK
        ((itil_impact >= 1) AND (itil_impact <= 5)),
    CONSTRAINT tickets_itil_priority_level_check CHECK
        ((itil_priority_level >= 1) AND (itil_priority_level <= 5)),
    CONSTRAINT tickets_itil_urgency_check CHECK
        ((itil_urgency >= 1) AND (itil_urgency <= 5))
);

CREATE INDEX IF NOT EXISTS tickets_tenant_assigned_to_idx
    ON tickets (tenant, assigned_to) WHERE is_closed = false;
CREATE INDEX IF NOT EXISTS title_index_idx ON tickets USING gin (title_index);

CREATE TABLE IF NOT EXISTS ticket_resources (
    tenant              uuid NOT NULL,
    assignment_id       uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id           uuid NOT NULL,
    assigned_to         uuid NOT NULL,
    additional_user_id  uuid,
    role                text,
    assigned_at         timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT ticket_resources_pkey PRIMARY KEY (tenant, assignment_id),
    CONSTRAINT ticket_resources_tenant_additional_user_id_foreign FOREIGN KEY
        (tenant, additional_user_id) REFERENCES users (tenant, user_id),
    CONSTRAINT ticket_resources_tenant_assigned_to_foreign FOREIGN KEY
        (tenant, assigned_to) REFERENCES users (tenant, user_id),
    CONSTRAINT ticket_resources_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT ticket_resources_tenant_ticket_id_assigned_to_foreign
        FOREIGN KEY (tenant, ticket_id, assigned_to)
        REFERENCES tickets (tenant, ticket_id, assigned_to),
    CONSTRAINT ticket_resources_check CHECK (assigned_to <> additional_user_id)
);

-- 2.3 Projects & assignments --------------------------------------------

CREATE TABLE IF NOT EXISTS projects (
    tenant                uuid NOT NULL,
    project_id            uuid NOT NULL DEFAULT gen_random_uuid(),
    project_name          text NOT NULL,
    description           text,
    start_date            timestamptz,
    end_date              timestamptz,
    status                uuid NOT NULL,
    wbs_code              text NOT NULL,
    created_at            timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at            timestamptz DEFAULT CURRENT_TIMESTAMP,
    is_inactive           boolean DEFAULT false,
    assigned_to           uuid,
    contact_name_id       uuid,
    budgeted_hours        bigint,
    client_id             uuid NOT NULL,
    project_number        varchar(50) NOT NULL,
    client_portal_config  jsonb DEFAULT '{"show_tasks": false, "show_phases": false, "show_budget_hours": false, "visible_task_fields": ["task_name", "due_date", "status"], "show_phase_completion": false}'::jsonb,
    billing_profile_id    uuid,
    CONSTRAINT projects_pkey PRIMARY KEY (tenant, project_id),
    CONSTRAINT projects_tenant_wbs_code_unique UNIQUE (tenant, wbs_code),
    CONSTRAINT projects_tenant_client_id_foreign FOREIGN KEY
        (tenant, client_id) REFERENCES clients (tenant, client_id),
    CONSTRAINT projects_status_tenant_foreign FOREIGN KEY (tenant, status)
        REFERENCES statuses (tenant, status_id),
    CONSTRAINT projects_tenant_assigned_to_foreign FOREIGN KEY
        (tenant, assigned_to) REFERENCES users (tenant, user_id),
    CONSTRAINT projects_tenant_contact_name_id_foreign FOREIGN KEY
        (tenant, contact_name_id) REFERENCES contacts (tenant, contact_name_id),
    CONSTRAINT projects_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

CREATE UNIQUE INDEX IF NOT EXISTS idx_projects_tenant_project_number
    ON projects (tenant, project_number);

CREATE TABLE IF NOT EXISTS project_phases (
    tenant        uuid NOT NULL,
    phase_id      uuid NOT NULL DEFAULT gen_random_uuid(),
    project_id    uuid NOT NULL,
    phase_name    text NOT NULL,
    description   text,
    start_date    timestamptz,
    end_date      timestamptz,
    status        text NOT NULL,
    order_number  integer NOT NULL,
    wbs_code      text NOT NULL,
    created_at    timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at    timestamptz DEFAULT CURRENT_TIMESTAMP,
    order_key     varchar(255),
    completed_at  timestamptz,
    CONSTRAINT project_phases_pkey PRIMARY KEY (tenant, phase_id),
    CONSTRAINT project_phases_tenant_project_id_wbs_code_unique UNIQUE
        (tenant, project_id, wbs_code),
    CONSTRAINT project_phases_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT project_phases_tenant_project_id_foreign FOREIGN KEY
        (tenant, project_id) REFERENCES projects (tenant, project_id)
);

CREATE TABLE IF NOT EXISTS project_tasks (
    tenant                     uuid NOT NULL,
    task_id                    uuid NOT NULL DEFAULT gen_random_uuid(),
    phase_id                   uuid NOT NULL,
    task_name                  text NOT NULL,
    description                text,
    assigned_to                uuid,
    estimated_hours            bigint,
    due_date                   timestamptz,
    actual_hours               bigint,
    status_id                  uuid,
    wbs_code                   text NOT NULL,
    created_at                 timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at                 timestamptz DEFAULT CURRENT_TIMESTAMP,
    project_status_mapping_id  uuid,
    order_key                  varchar(255),
    task_type_key              varchar(50) NOT NULL
                               DEFAULT 'task'::character varying,
    priority_id                uuid,
    service_id                 uuid,
    assigned_team_id           uuid,
    description_rich_text      text,
    CONSTRAINT project_tasks_pkey PRIMARY KEY (tenant, task_id),
    CONSTRAINT project_tasks_tenant_assigned_to_foreign FOREIGN KEY
        (tenant, assigned_to) REFERENCES users (tenant, user_id),
    CONSTRAINT project_tasks_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT project_tasks_tenant_phase_id_foreign FOREIGN KEY
        (tenant, phase_id) REFERENCES project_phases (tenant, phase_id),
    CONSTRAINT project_tasks_tenant_status_id_foreign FOREIGN KEY
        (tenant, status_id) REFERENCES statuses (tenant, status_id)
);

CREATE INDEX IF NOT EXISTS project_tasks_tenant_assigned_to_idx
    ON project_tasks (tenant, assigned_to);

CREATE TABLE IF NOT EXISTS task_resources (
    tenant              uuid NOT NULL,
    assignment_id       uuid NOT NULL DEFAULT gen_random_uuid(),
    task_id             uuid NOT NULL,
    assigned_to         uuid NOT NULL,
    additional_user_id  uuid,
    role                text,
    assigned_at         timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT task_resources_pkey PRIMARY KEY (tenant, assignment_id),
    CONSTRAINT task_resources_tenant_additional_user_id_foreign FOREIGN KEY
        (tenant, additional_user_id) REFERENCES users (tenant, user_id),
    CONSTRAINT task_resources_tenant_assigned_to_foreign FOREIGN KEY
        (tenant, assigned_to) REFERENCES users (tenant, user_id),
    CONSTRAINT task_resources_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT task_resources_tenant_task_id_foreign FOREIGN KEY
        (tenant, task_id) REFERENCES project_tasks (tenant, task_id),
    CONSTRAINT task_resources_check CHECK (assigned_to <> additional_user_id)
);

CREATE UNIQUE INDEX IF NOT EXISTS task_resources_tenant_task_user_unique
    ON task_resources (tenant, task_id, additional_user_id)
    WHERE (additional_user_id IS NOT NULL);

-- Comments (ticket comments and their threads) ---------------------------

CREATE TABLE IF NOT EXISTS comment_threads (
    tenant                    uuid NOT NULL,
    thread_id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id                 uuid,
    project_task_id           uuid,
    root_comment_id           uuid NOT NULL,
    is_internal               boolean NOT NULL DEFAULT false,
    reply_count               integer NOT NULL DEFAULT 0,
    last_activity_at          timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    email_message_id          text,
    email_references          text[] NOT NULL DEFAULT '{}'::text[],
    email_provider_thread_id  text,
    created_at                timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_by                uuid,
    CONSTRAINT comment_threads_pkey PRIMARY KEY (tenant, thread_id),
    CONSTRAINT comment_threads_project_task_fk FOREIGN KEY
        (tenant, project_task_id) REFERENCES project_tasks (tenant, task_id)
        ON DELETE CASCADE,
    CONSTRAINT comment_threads_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant) ON DELETE CASCADE,
    CONSTRAINT comment_threads_ticket_fk FOREIGN KEY (tenant, ticket_id)
        REFERENCES tickets (tenant, ticket_id) ON DELETE CASCADE,
    CONSTRAINT comment_threads_exactly_one_parent_check CHECK
        ((((ticket_id IS NOT NULL))::integer
          + ((project_task_id IS NOT NULL))::integer) = 1)
);

CREATE TABLE IF NOT EXISTS comments (
    tenant                             uuid NOT NULL,
    comment_id                         uuid NOT NULL DEFAULT gen_random_uuid(),
    ticket_id                          uuid NOT NULL,
    user_id                            uuid,
    note                               text NOT NULL,
    is_internal                        boolean NOT NULL,
    is_resolution                      boolean NOT NULL,
    created_at                         timestamptz DEFAULT CURRENT_TIMESTAMP,
    note_index                         tsvector GENERATED ALWAYS AS
                                       (process_large_lexemes(note)) STORED,
    updated_at                         timestamptz DEFAULT CURRENT_TIMESTAMP,
    author_type                        comment_author_type
                                       DEFAULT 'unknown'::comment_author_type,
    markdown_content                   text,
    metadata                           jsonb,
    is_system_generated                boolean NOT NULL DEFAULT false,
    contact_id                         uuid,
    thread_id                          uuid NOT NULL,
    parent_comment_id                  uuid,
    deleted_at                         timestamptz,
    publish_state                      varchar(16) NOT NULL
                                       DEFAULT 'published'::character varying,
    scheduled_publish_at               timestamptz,
    scheduled_publish_tz               varchar(64),
    published_at                       timestamptz,
    schedule_job_id                    uuid,
    scheduled_publish_event_id         uuid,
    scheduled_publish_dispatched_at    timestamptz,
    scheduled_response_event_id        uuid,
    scheduled_previous_response_state  varchar(32),
    scheduled_response_dispatched_at   timestamptz,
    CONSTRAINT comments_pkey PRIMARY KEY (tenant, comment_id),
    CONSTRAINT comments_parent_comment_fk FOREIGN KEY
        (tenant, parent_comment_id) REFERENCES comments (tenant, comment_id)
        ON DELETE CASCADE,
    CONSTRAINT comments_tenant_contact_id_fk FOREIGN KEY (tenant, contact_id)
        REFERENCES contacts (tenant, contact_name_id),
    CONSTRAINT comments_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT comments_tenant_ticket_id_foreign FOREIGN KEY
        (tenant, ticket_id) REFERENCES tickets (tenant, ticket_id),
    CONSTRAINT comments_tenant_user_id_foreign FOREIGN KEY (tenant, user_id)
        REFERENCES users (tenant, user_id),
    CONSTRAINT comments_thread_fk FOREIGN KEY (tenant, thread_id)
        REFERENCES comment_threads (tenant, thread_id) ON DELETE CASCADE,
    CONSTRAINT comments_publish_state_check CHECK (publish_state::text = ANY
        (ARRAY['published'::text, 'scheduled'::text, 'canceled'::text]))
);

CREATE INDEX IF NOT EXISTS comments_tenant_ticket_id_idx
    ON comments (tenant, ticket_id);

-- 2.4 Time --------------------------------------------------------------

CREATE TABLE IF NOT EXISTS time_periods (
    tenant      uuid NOT NULL,
    period_id   uuid NOT NULL DEFAULT gen_random_uuid(),
    start_date  date,
    end_date    date,
    is_closed   boolean DEFAULT false,
    created_at  timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at  timestamptz DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT time_periods_pkey PRIMARY KEY (tenant, period_id),
    CONSTRAINT time_periods_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

CREATE TABLE IF NOT EXISTS time_sheets (
    tenant           uuid NOT NULL,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL,
    period_id        uuid NOT NULL,
    approval_status  approvalstatus DEFAULT 'DRAFT'::approvalstatus,
    submitted_at     timestamptz,
    approved_at      timestamptz,
    approved_by      uuid,
    CONSTRAINT time_sheets_pkey PRIMARY KEY (tenant, id),
    CONSTRAINT time_sheets_tenant_approved_by_foreign FOREIGN KEY
        (tenant, approved_by) REFERENCES users (tenant, user_id),
    CONSTRAINT time_sheets_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant),
    CONSTRAINT time_sheets_tenant_period_id_foreign FOREIGN KEY
        (tenant, period_id) REFERENCES time_periods (tenant, period_id),
    CONSTRAINT time_sheets_tenant_user_id_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id)
);

CREATE TABLE IF NOT EXISTS time_entries (
    tenant                           uuid NOT NULL,
    entry_id                         uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id                          uuid NOT NULL,
    start_time                       timestamptz,
    end_time                         timestamptz,
    notes                            text,
    work_item_id                     uuid,
    billable_duration                integer,
    work_item_type                   text,
    approval_status                  approvalstatus
                                     DEFAULT 'DRAFT'::approvalstatus,
    time_sheet_id                    uuid,
    created_at                       timestamptz,
    updated_at                       timestamptz,
    service_id                       uuid,
    tax_region                       varchar(255),
    invoiced                         boolean DEFAULT false,
    tax_rate_id                      uuid,
    contract_line_id                 uuid,
    work_date                        date NOT NULL,
    work_timezone                    text NOT NULL,
    created_by                       uuid,
    updated_by                       uuid,
    contract_line_source             text,
    contract_line_unresolved_reason  text,
    catalog_pricing_acknowledged_at  timestamptz,
    catalog_pricing_acknowledged_by  uuid,
    CONSTRAINT time_entries_pkey PRIMARY KEY (tenant, entry_id),
    CONSTRAINT time_entries_entry_id_unique UNIQUE (entry_id),
    CONSTRAINT time_entries_tenant_created_by_foreign FOREIGN KEY
        (tenant, created_by) REFERENCES users (tenant, user_id),
    CONSTRAINT time_entries_tenant_time_sheet_id_foreign FOREIGN KEY
        (tenant, time_sheet_id) REFERENCES time_sheets (tenant, id),
    CONSTRAINT time_entries_tenant_updated_by_foreign FOREIGN KEY
        (tenant, updated_by) REFERENCES users (tenant, user_id),
    CONSTRAINT time_entries_tenant_user_id_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id),
    CONSTRAINT time_entries_contract_line_source_check CHECK
        ((contract_line_source IS NULL) OR contract_line_source = ANY (ARRAY[
            'explicit'::text, 'auto_unique_service'::text,
            'auto_bucket_overlay'::text, 'unresolved'::text,
            'reconciled_at_generation'::text, 'auto_billing_profile'::text])),
    CONSTRAINT time_entries_contract_line_unresolved_reason_check CHECK
        ((contract_line_unresolved_reason IS NULL)
         OR contract_line_unresolved_reason = ANY (ARRAY[
            'ambiguous'::text, 'no_match'::text, 'error'::text])),
    CONSTRAINT time_entries_work_item_type_check CHECK
        (work_item_type = ANY (ARRAY['ticket'::text, 'project_task'::text,
            'non_billable_category'::text, 'ad_hoc'::text,
            'interaction'::text]))
);

CREATE INDEX IF NOT EXISTS time_entries_tenant_time_sheet_id_idx
    ON time_entries (tenant, time_sheet_id);

CREATE TABLE IF NOT EXISTS time_sheet_comments (
    comment_id     uuid NOT NULL DEFAULT gen_random_uuid(),
    time_sheet_id  uuid NOT NULL,
    user_id        uuid NOT NULL,
    comment        text NOT NULL,
    created_at     timestamptz,
    is_approver    boolean NOT NULL,
    tenant         uuid NOT NULL,
    CONSTRAINT time_sheet_comments_pkey PRIMARY KEY (comment_id, tenant),
    CONSTRAINT time_sheet_comments_time_sheet_id_tenant_foreign FOREIGN KEY
        (tenant, time_sheet_id) REFERENCES time_sheets (tenant, id),
    CONSTRAINT time_sheet_comments_user_id_tenant_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id)
);

-- 2.5 Notifications -----------------------------------------------------

CREATE TABLE IF NOT EXISTS internal_notification_categories (
    internal_notification_category_id  serial NOT NULL,
    name                               varchar(255) NOT NULL,
    description                        varchar(255),
    is_enabled                         boolean NOT NULL DEFAULT true,
    is_default_enabled                 boolean NOT NULL DEFAULT true,
    created_at                         timestamptz NOT NULL
                                       DEFAULT CURRENT_TIMESTAMP,
    updated_at                         timestamptz NOT NULL
                                       DEFAULT CURRENT_TIMESTAMP,
    available_for_client_portal        boolean NOT NULL DEFAULT false,
    CONSTRAINT internal_notification_categories_pkey PRIMARY KEY
        (internal_notification_category_id),
    CONSTRAINT internal_notification_categories_name_unique UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS internal_notification_subtypes (
    internal_notification_subtype_id  serial NOT NULL,
    internal_category_id              integer NOT NULL,
    name                              varchar(255) NOT NULL,
    description                       varchar(255),
    is_enabled                        boolean NOT NULL DEFAULT true,
    is_default_enabled                boolean NOT NULL DEFAULT true,
    created_at                        timestamptz NOT NULL
                                      DEFAULT CURRENT_TIMESTAMP,
    updated_at                        timestamptz NOT NULL
                                      DEFAULT CURRENT_TIMESTAMP,
    available_for_client_portal       boolean NOT NULL DEFAULT false,
    default_priority                  text NOT NULL DEFAULT 'normal'::text,
    CONSTRAINT internal_notification_subtypes_pkey PRIMARY KEY
        (internal_notification_subtype_id),
    CONSTRAINT internal_notification_subtypes_internal_category_id_name_unique
        UNIQUE (internal_category_id, name),
    CONSTRAINT internal_notification_subtypes_internal_category_id_foreign
        FOREIGN KEY (internal_category_id)
        REFERENCES internal_notification_categories
            (internal_notification_category_id) ON DELETE CASCADE,
    CONSTRAINT default_priority_priority_ck CHECK (default_priority = ANY
        (ARRAY['high'::text, 'normal'::text, 'low'::text]))
);

CREATE TABLE IF NOT EXISTS internal_notification_templates (
    internal_notification_template_id  serial NOT NULL,
    name                               varchar(255) NOT NULL,
    language_code                      varchar(2) NOT NULL,
    title                              text NOT NULL,
    message                            text NOT NULL,
    subtype_id                         integer NOT NULL,
    created_at                         timestamptz NOT NULL
                                       DEFAULT CURRENT_TIMESTAMP,
    updated_at                         timestamptz NOT NULL
                                       DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT internal_notification_templates_pkey PRIMARY KEY
        (internal_notification_template_id),
    CONSTRAINT internal_notification_templates_name_language_code_unique
        UNIQUE (name, language_code),
    CONSTRAINT internal_notification_templates_subtype_id_foreign
        FOREIGN KEY (subtype_id)
        REFERENCES internal_notification_subtypes
            (internal_notification_subtype_id) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS internal_notifications (
    internal_notification_id  uuid NOT NULL DEFAULT gen_random_uuid(),
    tenant                    uuid NOT NULL,
    user_id                   uuid NOT NULL,
    template_name             varchar(255) NOT NULL,
    language_code             varchar(2) NOT NULL,
    title                     text NOT NULL,
    message                   text NOT NULL,
    type                      text NOT NULL DEFAULT 'info'::text,
    category                  varchar(255),
    link                      text,
    metadata                  jsonb,
    is_read                   boolean NOT NULL DEFAULT false,
    read_at                   timestamptz,
    deleted_at                timestamptz,
    delivery_status           text NOT NULL DEFAULT 'pending'::text,
    delivery_attempts         integer NOT NULL DEFAULT 0,
    last_delivery_attempt     timestamptz,
    delivery_error            text,
    created_at                timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    priority                  text NOT NULL DEFAULT 'normal'::text,
    CONSTRAINT internal_notifications_pkey PRIMARY KEY
        (internal_notification_id, tenant),
    CONSTRAINT internal_notifications_tenant_user_id_foreign FOREIGN KEY
        (tenant, user_id) REFERENCES users (tenant, user_id) ON DELETE CASCADE,
    CONSTRAINT internal_notifications_delivery_status_check CHECK
        (delivery_status = ANY (ARRAY['pending'::text, 'delivered'::text,
                                      'failed'::text])),
    CONSTRAINT internal_notifications_type_check CHECK
        (type = ANY (ARRAY['info'::text, 'success'::text, 'warning'::text,
                           'error'::text])),
    CONSTRAINT priority_priority_ck CHECK
        (priority = ANY (ARRAY['high'::text, 'normal'::text, 'low'::text]))
);

CREATE TABLE IF NOT EXISTS user_internal_notification_preferences (
    preference_id  serial NOT NULL,
    tenant         uuid NOT NULL,
    user_id        uuid NOT NULL,
    category_id    integer,
    subtype_id     integer,
    is_enabled     boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    priority       text,
    CONSTRAINT user_internal_notification_preferences_pkey PRIMARY KEY
        (preference_id),
    CONSTRAINT user_internal_notification_preferences_tenant_user_id_category_
        UNIQUE (tenant, user_id, category_id, subtype_id),
    CONSTRAINT user_internal_notification_preferences_category_id_foreign
        FOREIGN KEY (category_id)
        REFERENCES internal_notification_categories
            (internal_notification_category_id) ON DELETE CASCADE,
    CONSTRAINT user_internal_notification_preferences_subtype_id_foreign
        FOREIGN KEY (subtype_id)
        REFERENCES internal_notification_subtypes
            (internal_notification_subtype_id) ON DELETE CASCADE,
    CONSTRAINT user_internal_notification_preferences_tenant_user_id_foreign
        FOREIGN KEY (tenant, user_id) REFERENCES users (tenant, user_id)
        ON DELETE CASCADE,
    CONSTRAINT priority_priority_ck CHECK
        (priority = ANY (ARRAY['high'::text, 'normal'::text, 'low'::text]))
);

-- 2.6 Settings, API keys, add-ons, numbering ----------------------------

-- api_keys.api_key holds the lowercase SHA-256 hex digest of the plaintext
-- key.  PK in the Citus form (tenant, api_key_id); the global UNIQUE on
-- api_key is what resolves a presented key to its tenant.
CREATE TABLE IF NOT EXISTS api_keys (
    api_key_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    api_key       varchar(255) NOT NULL,
    user_id       uuid,
    tenant        uuid NOT NULL,
    description   varchar(255),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at  timestamptz,
    expires_at    timestamptz,
    purpose       varchar(255) NOT NULL DEFAULT 'general'::character varying,
    metadata      jsonb,
    usage_limit   integer,
    usage_count   integer NOT NULL DEFAULT 0,
    agent_id      uuid,
    CONSTRAINT api_keys_pkey PRIMARY KEY (tenant, api_key_id),
    CONSTRAINT api_keys_api_key_unique UNIQUE (api_key)
);

CREATE TABLE IF NOT EXISTS tenant_settings (
    tenant                             uuid NOT NULL,
    onboarding_completed               boolean DEFAULT false,
    onboarding_completed_at            timestamptz,
    onboarding_skipped                 boolean DEFAULT false,
    onboarding_data                    jsonb,
    settings                           jsonb,
    created_at                         timestamptz DEFAULT CURRENT_TIMESTAMP,
    updated_at                         timestamptz DEFAULT CURRENT_TIMESTAMP,
    ticket_display_settings            jsonb,
    default_tax_source                 varchar(20)
                                       DEFAULT 'internal'::character varying,
    allow_external_tax_override        boolean DEFAULT false,
    tax_delegation_nudge_dismissed_at  timestamptz,
    CONSTRAINT tenant_settings_pkey PRIMARY KEY (tenant),
    CONSTRAINT tenant_settings_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS tenant_addons (
    tenant        uuid NOT NULL,
    addon_key     text NOT NULL,
    activated_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at    timestamptz,
    metadata      jsonb,
    CONSTRAINT tenant_addons_pkey PRIMARY KEY (tenant, addon_key),
    CONSTRAINT tenant_addons_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

CREATE TABLE IF NOT EXISTS next_number (
    tenant          uuid NOT NULL,
    entity_type     text NOT NULL,
    last_number     bigint NOT NULL DEFAULT '0'::bigint,
    initial_value   bigint NOT NULL DEFAULT '1000'::bigint,
    prefix          text DEFAULT 'TIC'::text,
    padding_length  integer DEFAULT 6,
    CONSTRAINT next_number_pkey PRIMARY KEY (tenant, entity_type),
    CONSTRAINT next_number_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant)
);

-- generate_next_number(tenant, entity_type) as psa-schema.md section 5
-- describes it.  Created only when the PSA's own is absent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n
                   ON n.oid = p.pronamespace
                   WHERE p.proname = 'generate_next_number'
                     AND n.nspname = current_schema()) THEN
        CREATE FUNCTION generate_next_number(p_tenant_id uuid,
                                             p_entity_type text)
        RETURNS text
        LANGUAGE plpgsql
        AS $fn$
        DECLARE
            v_new     bigint;
            v_prefix  text;
            v_pad     integer;
            v_num     text;
        BEGIN
            PERFORM pg_advisory_xact_lock(
                hashtext(p_tenant_id::text || p_entity_type));

            INSERT INTO next_number (tenant, entity_type)
            VALUES (p_tenant_id, p_entity_type)
            ON CONFLICT DO NOTHING;

            UPDATE next_number
               SET last_number = GREATEST(last_number + 1, initial_value)
             WHERE tenant = p_tenant_id AND entity_type = p_entity_type
            RETURNING last_number, prefix, padding_length
                 INTO v_new, v_prefix, v_pad;

            v_num := v_new::text;
            IF v_pad IS NOT NULL AND length(v_num) <= v_pad THEN
                v_num := lpad(v_num, v_pad, '0');
            END IF;
            IF v_prefix IS NOT NULL THEN
                v_num := v_prefix || v_num;
            END IF;
            RETURN v_num;
        END
        $fn$;
    END IF;
END
$$;

-- Legacy single Microsoft configuration (source of 0011) -----------------
--
-- Before named profiles, the PSA kept one Microsoft app registration per
-- tenant as three tenant secrets in its tenant secret store, named
-- microsoft_client_id, microsoft_client_secret and microsoft_tenant_id.
-- That store is not a table of the PSA schema reference; this is a minimal
-- stand-in for it so stand-alone installs and tests can carry a legacy
-- configuration.  secret_value of microsoft_client_secret is expected in our
-- encrypted envelope format (see sql/README.md).
CREATE TABLE IF NOT EXISTS tenant_secrets (
    tenant        uuid NOT NULL,
    secret_name   text NOT NULL,
    secret_value  text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT tenant_secrets_pkey PRIMARY KEY (tenant, secret_name),
    CONSTRAINT tenant_secrets_tenant_foreign FOREIGN KEY (tenant)
        REFERENCES tenants (tenant) ON DELETE CASCADE
);
