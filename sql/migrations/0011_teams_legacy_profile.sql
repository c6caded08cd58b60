-- 0011_teams_legacy_profile.sql
--
-- Migrates the legacy single Microsoft configuration to a default named
-- Microsoft profile (PRD FR-A3/FR-A6).
--
-- Source: the tenant secrets microsoft_client_id, microsoft_client_secret
-- and microsoft_tenant_id (table tenant_secrets, see 0001_psa_core.sql).
-- A tenant has a legacy configuration when it has a non-empty
-- microsoft_client_id secret.
--
-- For every such tenant that has no Microsoft profile at all yet, this
-- creates one profile
--     display_name 'Default Microsoft profile', is_default true,
--     client_id  = microsoft_client_id,
--     tenant_id  = microsoft_tenant_id (or 'common' when absent/empty),
--     client_secret_ref = microsoft_client_secret when it is already in our
--         encrypted envelope ('v1:<b64>:<b64>'), otherwise '' (a plaintext
--         secret is never copied into the database; the profile then shows
--         "secret missing" until an admin re-enters it),
-- and binds it to the consumers that used the legacy configuration:
-- msp_sso, email and calendar.  Teams is not bound: it did not use the
-- legacy configuration and must be bound explicitly by an admin (PRD
-- FR-B2, "Teams requires an explicit selected profile").
--
-- Tenants that already have a profile are left alone, so re-running this
-- file (or running it after an admin created profiles) changes nothing.
-- Bindings that already exist are kept (ON CONFLICT DO NOTHING).

DO $$
DECLARE
    r          record;
    v_profile  uuid;
    v_secret   text;
BEGIN
    IF (SELECT count(*) FROM information_schema.columns
         WHERE table_schema = current_schema()
           AND table_name = 'tenant_secrets'
           AND column_name IN ('tenant', 'secret_name', 'secret_value')) <> 3
    THEN
        RAISE INFO 'teams legacy profile migration: no tenant_secrets '
                     'table (tenant, secret_name, secret_value), nothing '
                     'to migrate';
        RETURN;
    END IF;

    FOR r IN
        SELECT s.tenant,
               btrim(s.secret_value) AS client_id,
               (SELECT btrim(t.secret_value) FROM tenant_secrets t
                 WHERE t.tenant = s.tenant
                   AND t.secret_name = 'microsoft_tenant_id') AS ms_tenant,
               (SELECT btrim(c.secret_value) FROM tenant_secrets c
                 WHERE c.tenant = s.tenant
                   AND c.secret_name = 'microsoft_client_secret') AS secret
          FROM tenant_secrets s
          JOIN tenants tn ON tn.tenant = s.tenant
         WHERE s.secret_name = 'microsoft_client_id'
           AND btrim(s.secret_value) <> ''
           AND NOT EXISTS (SELECT 1 FROM microsoft_profiles p
                            WHERE p.tenant = s.tenant)
         ORDER BY s.tenant
    LOOP
        IF r.secret ~ '^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
            v_secret := r.secret;
        ELSE
            v_secret := '';
            IF coalesce(r.secret, '') <> '' THEN
                RAISE INFO 'teams legacy profile migration: tenant %: '
                             'legacy client secret is not in the encrypted '
                             'v1 envelope; not copied, re-enter it in the '
                             'profile', r.tenant;
            END IF;
        END IF;

        INSERT INTO microsoft_profiles
            (tenant, display_name, display_name_normalized, client_id,
             tenant_id, client_secret_ref, is_default)
        VALUES
            (r.tenant, 'Default Microsoft profile',
             'default microsoft profile', r.client_id,
             coalesce(nullif(r.ms_tenant, ''), 'common'), v_secret, true)
        RETURNING profile_id INTO v_profile;

        INSERT INTO microsoft_profile_consumer_bindings
            (tenant, consumer_type, profile_id)
        SELECT r.tenant, c.consumer_type, v_profile
          FROM (VALUES ('msp_sso'), ('email'), ('calendar'))
               AS c (consumer_type)
        ON CONFLICT (tenant, consumer_type) DO NOTHING;

        RAISE INFO 'teams legacy profile migration: tenant %: created '
                     'default profile %', r.tenant, v_profile;
    END LOOP;
END
$$;
