
/*
 * The SQL of the actions.  Every statement is tenant-scoped and
 * parameterized.
 *
 * The caller's context -- MSP permissions, the tenant's allowed actions,
 * enabled capabilities and app id -- comes from NGX_TEAMS_SQL_CALLER and
 * is cached per worker process for a short time (ngx_teams_caller.c).
 *
 * Reads are gated in C against that context; their statements get the
 * permissions as a parameter, for the per-kind read rules.
 *   $1 tenant  $2 user id  $3 permissions (text[]), parameters from $4
 *
 * Mutations check the gate again in their own statement, from the role
 * tables, so a write never rests on a cached permission; they do
 * everything in one statement with data-modifying CTEs: the receipt row
 * is inserted first and every write depends on it, so a duplicate submit
 * writes nothing, even when two race.
 *   $1 tenant  $2 user id  $3 $4 permission (resource, action; '' none)
 *   $5 allowed_actions key  $6 action capability  $7 surface capability
 *   $8 idempotency key  $9 surface  $10 Microsoft user id
 *   $11 payload hash  $12 action name, parameters from $13
 *
 * Each statement returns one row, one column: a JSON object with the
 * action's outcome ('status', and what the outcome carries).
 */


#ifndef _NGX_TEAMS_ACTION_SQL_H_INCLUDED_
#define _NGX_TEAMS_ACTION_SQL_H_INCLUDED_


/* the strings of a jsonb array setting; nothing else counts */
#define NGX_TEAMS_SQL_JSONB_STRINGS(col)                                      \
    "coalesce((SELECT jsonb_agg(x) FROM jsonb_array_elements(CASE WHEN"       \
    " jsonb_typeof(" col ") = 'array' THEN " col " ELSE '[]' END) x"          \
    " WHERE jsonb_typeof(x) = 'string'), '[]')"

/* the permissions p of user u through its MSP roles (the FROM and WHERE) */
#define NGX_TEAMS_SQL_USER_PERMISSIONS                                        \
    " FROM user_roles ur"                                                     \
    " JOIN roles ro ON ro.tenant = ur.tenant AND ro.role_id = ur.role_id"     \
    "  AND ro.msp"                                                            \
    " JOIN role_permissions rp ON rp.tenant = ur.tenant"                      \
    "  AND rp.role_id = ur.role_id"                                           \
    " JOIN permissions p ON p.tenant = rp.tenant"                             \
    "  AND p.permission_id = rp.permission_id AND p.msp"                      \
    " WHERE ur.tenant = u.tenant AND ur.user_id = u.user_id"

/*
 * the caller's context, cached per worker process: the user's MSP
 * permissions, the tenant's allowed actions, capabilities and app id;
 * no row when the user is not an active MSP user or the integration is
 * not active
 */
#define NGX_TEAMS_SQL_CALLER                                                  \
    "SELECT json_build_object("                                               \
    " 'perms', coalesce((SELECT array_agg(DISTINCT p.resource || ':'"         \
    "   || p.action)"                                                         \
    NGX_TEAMS_SQL_USER_PERMISSIONS "), '{}'),"                                \
    " 'allowed', " NGX_TEAMS_SQL_JSONB_STRINGS("t.allowed_actions") ","       \
    " 'caps', " NGX_TEAMS_SQL_JSONB_STRINGS("t.enabled_capabilities") ","     \
    " 'app_id', coalesce(nullif(t.app_id, ''), mp.client_id))::text"          \
    " FROM users u, teams_integrations t"                                     \
    " LEFT JOIN microsoft_profiles mp ON mp.tenant = t.tenant"                \
    "  AND mp.profile_id = t.selected_profile_id"                             \
    " WHERE u.tenant = $1::uuid AND u.user_id = $2::uuid"                     \
    "  AND u.user_type = 'internal' AND NOT coalesce(u.is_inactive, false)"   \
    "  AND t.tenant = $1::uuid AND t.install_status = 'active'"

/*
 * mutations: the gate every write passes, read fresh in its own
 * transaction: the one permission it needs ($3, $4), its allowed_actions
 * key ($5), its capability ($6) and the surface's ($7), each '' for none;
 * no row when the user is not an active MSP user or the integration is
 * not active
 */
#define NGX_TEAMS_SQL_JSONB_HAS(col, n)                                       \
    "($" n " = '' OR (jsonb_typeof(" col ") = 'array'"                        \
    " AND " col " ? $" n "))"

#define NGX_TEAMS_SQL_CTX                                                     \
    "WITH gate AS ("                                                          \
    " SELECT u.user_id, coalesce(nullif(u.timezone, ''), 'UTC') AS tz,"       \
    "  coalesce(nullif(trim(coalesce(u.first_name, '') || ' '"                \
    "   || coalesce(u.last_name, '')), ''), u.email) AS name,"                \
    "  ($3 = '' OR EXISTS (SELECT 1" NGX_TEAMS_SQL_USER_PERMISSIONS           \
    "    AND p.resource = $3 AND p.action = $4))"                             \
    "  AND " NGX_TEAMS_SQL_JSONB_HAS("t.allowed_actions", "5")                \
    "  AND " NGX_TEAMS_SQL_JSONB_HAS("t.enabled_capabilities", "6")           \
    "  AND " NGX_TEAMS_SQL_JSONB_HAS("t.enabled_capabilities", "7") " AS ok"  \
    " FROM users u, teams_integrations t"                                     \
    " WHERE u.tenant = $1::uuid AND u.user_id = $2::uuid"                     \
    "  AND u.user_type = 'internal' AND NOT coalesce(u.is_inactive, false)"   \
    "  AND t.tenant = $1::uuid AND t.install_status = 'active')"

/* reads: the gate ran in C, against the cached context */
#define NGX_TEAMS_SQL_CTX_READ                                                \
    "WITH gate AS (SELECT $2::uuid AS user_id, $3::text[] AS perms,"          \
    " true AS ok)"

/* mutations: the stored result of an earlier submit with the same key */
#define NGX_TEAMS_SQL_PRIOR                                                   \
    ", prior AS (SELECT r.result FROM teams_action_receipts r"                \
    " WHERE r.tenant = $1::uuid AND r.idempotency_key = $8)"

#define NGX_TEAMS_SQL_AUDIT(target_type, target_id)                           \
    ", aud AS (INSERT INTO teams_audit_events (tenant, actor_user_id,"        \
    " microsoft_user_id, surface, action_id, target_type, target_id,"         \
    " idempotency_key, payload_hash, result_status)"                          \
    " SELECT $1::uuid, $2::uuid, $10, $9, $12, " target_type ", "             \
    target_id ", $8, $11, 'success' FROM go, rc RETURNING 1)"

#define NGX_TEAMS_SQL_EVENT(type, payload)                                    \
    "json_build_object('id', gen_random_uuid(), 'eventType', " type ","       \
    " 'timestamp', to_char(now() AT TIME ZONE 'UTC',"                         \
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'payload', " payload ")"

#define NGX_TEAMS_SQL_STATUS(conditions)                                      \
    "'status', CASE WHEN EXISTS (SELECT 1 FROM prior) THEN 'duplicate'"       \
    " WHEN NOT g.ok THEN 'denied' " conditions                                \
    " WHEN EXISTS (SELECT 1 FROM rc) THEN 'ok' ELSE 'conflict' END,"          \
    " 'result', coalesce((SELECT result FROM rc), (SELECT result FROM prior))"

/* a ticket by number (TIC001000, 1000) or id; t is the tickets alias */
#define NGX_TEAMS_SQL_TICKET_REF(n)                                           \
    "(upper(t.ticket_number) = upper($" n ")"                                 \
    " OR t.ticket_id::text = lower($" n ")"                                   \
    " OR ($" n " ~ '^[0-9]+$' AND ltrim(substring(t.ticket_number"            \
    " FROM '[0-9]+$'), '0') = ltrim($" n ", '0')))"

#define NGX_TEAMS_SQL_TICKET_REC                                              \
    "json_build_object('kind', 'ticket', 'id', t.ticket_id,"                  \
    " 'number', t.ticket_number,"                                             \
    " 'title', t.ticket_number || ' · ' || coalesce(t.title, ''),"            \
    " 'subtitle', c.client_name, 'closed', t.is_closed,"                      \
    " 'facts', json_build_array("                                             \
    "  json_build_object('t', 'Status', 'v', s.name),"                        \
    "  json_build_object('t', 'Priority', 'v', pr.priority_name),"            \
    "  json_build_object('t', 'Client', 'v', c.client_name),"                 \
    "  json_build_object('t', 'Contact', 'v', ct.full_name),"                 \
    "  json_build_object('t', 'Assigned to', 'v', coalesce(nullif(trim("      \
    "   coalesce(au.first_name, '') || ' ' || coalesce(au.last_name, '')),"   \
    "   ''), 'Unassigned')),"                                                 \
    "  json_build_object('t', 'Board', 'v', b.board_name),"                   \
    "  json_build_object('t', 'Updated', 'v',"                                \
    "   to_char(t.updated_at, 'YYYY-MM-DD HH24:MI'))))"

#define NGX_TEAMS_SQL_TICKET_JOINS                                            \
    " LEFT JOIN statuses s ON s.tenant = t.tenant"                            \
    "  AND s.status_id = t.status_id"                                         \
    " LEFT JOIN priorities pr ON pr.tenant = t.tenant"                        \
    "  AND pr.priority_id = t.priority_id"                                    \
    " LEFT JOIN clients c ON c.tenant = t.tenant"                             \
    "  AND c.client_id = t.client_id"                                         \
    " LEFT JOIN contacts ct ON ct.tenant = t.tenant"                          \
    "  AND ct.contact_name_id = t.contact_name_id"                            \
    " LEFT JOIN users au ON au.tenant = t.tenant"                             \
    "  AND au.user_id = t.assigned_to"                                        \
    " LEFT JOIN boards b ON b.tenant = t.tenant AND b.board_id = t.board_id"


/* my_tickets: $4 limit, $5 offset */
#define NGX_TEAMS_SQL_MY_TICKETS                                              \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", items AS (SELECT t.ticket_id, t.ticket_number, t.title, s.name,"       \
    " c.client_name, t.updated_at FROM gate g, tickets t"                     \
    " LEFT JOIN statuses s ON s.tenant = t.tenant"                            \
    "  AND s.status_id = t.status_id"                                         \
    " LEFT JOIN clients c ON c.tenant = t.tenant"                             \
    "  AND c.client_id = t.client_id"                                         \
    " WHERE g.ok AND t.tenant = $1::uuid AND NOT t.is_closed"                 \
    " AND (t.assigned_to = $2::uuid OR EXISTS (SELECT 1"                      \
    "  FROM ticket_resources tr WHERE tr.tenant = t.tenant"                   \
    "  AND tr.ticket_id = t.ticket_id AND tr.additional_user_id = $2::uuid))" \
    " ORDER BY t.updated_at DESC NULLS LAST, t.ticket_number"                 \
    " LIMIT $4::int OFFSET $5::int)"                                          \
    " SELECT json_build_object("                                              \
    " 'status', CASE WHEN g.ok THEN 'ok' ELSE 'denied' END,"                  \
    " 'items', coalesce((SELECT json_agg(json_build_object("                  \
    "  'kind', 'ticket', 'id', i.ticket_id, 'number', i.ticket_number,"       \
    "  'title', i.ticket_number || ' · ' || coalesce(i.title, ''),"           \
    "  'subtitle', concat_ws(' · ', i.name, i.client_name))"                  \
    "  ORDER BY i.updated_at DESC NULLS LAST, i.ticket_number)"               \
    "  FROM items i), '[]'))::text FROM gate g"

/* my_approvals: $4 limit, $5 offset */
#define NGX_TEAMS_SQL_MY_APPROVALS                                            \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", items AS (SELECT ts.id, ts.submitted_at, tp.start_date, tp.end_date,"  \
    " coalesce(nullif(trim(coalesce(u.first_name, '') || ' '"                 \
    "  || coalesce(u.last_name, '')), ''), u.email) AS who,"                  \
    " (SELECT coalesce(sum(e.billable_duration), 0) FROM time_entries e"      \
    "  WHERE e.tenant = ts.tenant AND e.time_sheet_id = ts.id) AS mins"       \
    " FROM gate g, time_sheets ts"                                            \
    " JOIN users u ON u.tenant = ts.tenant AND u.user_id = ts.user_id"        \
    " JOIN time_periods tp ON tp.tenant = ts.tenant"                          \
    "  AND tp.period_id = ts.period_id"                                       \
    " WHERE g.ok AND ts.tenant = $1::uuid"                                    \
    " AND ts.approval_status = 'SUBMITTED'"                                   \
    " ORDER BY ts.submitted_at NULLS LAST, ts.id"                             \
    " LIMIT $4::int OFFSET $5::int)"                                          \
    " SELECT json_build_object("                                              \
    " 'status', CASE WHEN g.ok THEN 'ok' ELSE 'denied' END,"                  \
    " 'items', coalesce((SELECT json_agg(json_build_object("                  \
    "  'kind', 'approval', 'id', i.id,"                                       \
    "  'title', 'Time sheet · ' || i.who || ' · ' || i.start_date"            \
    "   || ' to ' || i.end_date,"                                             \
    "  'subtitle', round(i.mins / 60.0, 2) || ' h · approve '"                \
    "   || " NGX_TEAMS_SQL_SHEET_SHORT("i.id") ")"                            \
    "  ORDER BY i.submitted_at NULLS LAST, i.id) FROM items i), '[]'))::text" \
    " FROM gate g"

/* open_record, one per kind: $4 ref */
#define NGX_TEAMS_SQL_OPEN_TICKET                                             \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", rec AS (SELECT " NGX_TEAMS_SQL_TICKET_REC " AS j FROM gate g,"         \
    " tickets t" NGX_TEAMS_SQL_TICKET_JOINS                                   \
    " WHERE g.ok AND t.tenant = $1::uuid AND "                                \
    NGX_TEAMS_SQL_TICKET_REF("4") " LIMIT 2)"                                 \
    " SELECT json_build_object("                                              \
    " 'status', CASE WHEN NOT g.ok THEN 'denied'"                             \
    "  WHEN (SELECT count(*) FROM rec) = 1 THEN 'ok'"                         \
    "  WHEN (SELECT count(*) FROM rec) > 1 THEN 'ambiguous'"                  \
    "  ELSE 'not_found' END,"                                                 \
    " 'record', CASE WHEN (SELECT count(*) FROM rec) = 1"                     \
    "  THEN (SELECT j FROM rec) END)::text FROM gate g"

#define NGX_TEAMS_SQL_OPEN_TAIL                                               \
    " SELECT json_build_object("                                              \
    " 'status', CASE WHEN NOT g.ok THEN 'denied'"                             \
    "  WHEN (SELECT count(*) FROM rec) = 1 THEN 'ok'"                         \
    "  WHEN (SELECT count(*) FROM rec) > 1 THEN 'ambiguous'"                  \
    "  ELSE 'not_found' END,"                                                 \
    " 'record', CASE WHEN (SELECT count(*) FROM rec) = 1"                     \
    "  THEN (SELECT j FROM rec) END)::text FROM gate g"

#define NGX_TEAMS_SQL_OPEN_TASK                                               \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", rec AS (SELECT json_build_object('kind', 'task', 'id', pt.task_id,"    \
    " 'extra', pj.project_id, 'number', pt.task_id, 'title', pt.task_name,"   \
    " 'subtitle', pj.project_name || ' · ' || ph.phase_name,"                 \
    " 'facts', json_build_array("                                             \
    "  json_build_object('t', 'Project', 'v', pj.project_name),"              \
    "  json_build_object('t', 'Phase', 'v', ph.phase_name),"                  \
    "  json_build_object('t', 'Status', 'v', s.name),"                        \
    "  json_build_object('t', 'Assigned to', 'v', coalesce(nullif(trim("      \
    "   coalesce(au.first_name, '') || ' ' || coalesce(au.last_name, '')),"   \
    "   ''), 'Unassigned')),"                                                 \
    "  json_build_object('t', 'Due', 'v', to_char(pt.due_date,"               \
    "   'YYYY-MM-DD')))) AS j"                                                \
    " FROM gate g, project_tasks pt"                                          \
    " JOIN project_phases ph ON ph.tenant = pt.tenant"                        \
    "  AND ph.phase_id = pt.phase_id"                                         \
    " JOIN projects pj ON pj.tenant = ph.tenant"                              \
    "  AND pj.project_id = ph.project_id"                                     \
    " LEFT JOIN statuses s ON s.tenant = pt.tenant"                           \
    "  AND s.status_id = pt.status_id"                                        \
    " LEFT JOIN users au ON au.tenant = pt.tenant"                            \
    "  AND au.user_id = pt.assigned_to"                                       \
    " WHERE g.ok AND pt.tenant = $1::uuid"                                    \
    " AND (pt.task_id::text = lower($4) OR pt.wbs_code = $4) LIMIT 2)"        \
    NGX_TEAMS_SQL_OPEN_TAIL

#define NGX_TEAMS_SQL_OPEN_CONTACT                                            \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", rec AS (SELECT json_build_object('kind', 'contact',"                   \
    " 'id', ct.contact_name_id, 'title', coalesce(ct.full_name, ct.email),"   \
    " 'subtitle', c.client_name,"                                             \
    " 'facts', json_build_array("                                             \
    "  json_build_object('t', 'E-mail', 'v', ct.email),"                      \
    "  json_build_object('t', 'Client', 'v', c.client_name),"                 \
    "  json_build_object('t', 'Role', 'v', ct.role))) AS j"                   \
    " FROM gate g, contacts ct"                                               \
    " LEFT JOIN clients c ON c.tenant = ct.tenant"                            \
    "  AND c.client_id = ct.client_id"                                        \
    " WHERE g.ok AND ct.tenant = $1::uuid"                                    \
    " AND (ct.contact_name_id::text = lower($4)"                              \
    "  OR lower(ct.email) = lower($4)) LIMIT 2)"                              \
    NGX_TEAMS_SQL_OPEN_TAIL

/*
 * A time sheet by id, or by 8+ hex characters that begin or end its id:
 * lists show the first 8 when no other sheet of the tenant shares them,
 * else the last 8 (the demo's ids differ only at the end), else the whole
 * id.  A reference matching two sheets answers "ambiguous".
 */
#define NGX_TEAMS_SQL_SHEET_REF(n)                                            \
    "(ts.id::text = lower($" n ") OR (length($" n ") >= 8"                    \
    " AND $" n " ~ '^[0-9a-fA-F-]+$'"                                         \
    " AND (ts.id::text LIKE lower($" n ") || '%'"                             \
    "  OR ts.id::text LIKE '%' || lower($" n "))))"

#define NGX_TEAMS_SQL_SHEET_CLASH(x, a, b)                                    \
    "EXISTS (SELECT 1 FROM time_sheets o WHERE o.tenant = $1::uuid"           \
    " AND o.id <> " x " AND (left(o.id::text, 8) = " a "(" x "::text, 8)"     \
    " OR right(o.id::text, 8) = " b "(" x "::text, 8)))"

#define NGX_TEAMS_SQL_SHEET_SHORT(x)                                          \
    "(CASE WHEN NOT " NGX_TEAMS_SQL_SHEET_CLASH(x, "left", "left")            \
    " THEN left(" x "::text, 8)"                                              \
    " WHEN NOT " NGX_TEAMS_SQL_SHEET_CLASH(x, "right", "right")               \
    " THEN right(" x "::text, 8) ELSE " x "::text END)"

#define NGX_TEAMS_SQL_OPEN_APPROVAL                                           \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", rec AS (SELECT json_build_object('kind', 'approval', 'id', ts.id,"     \
    " 'status', ts.approval_status,"                                          \
    " 'title', 'Time sheet · ' || coalesce(nullif(trim(coalesce("             \
    "  u.first_name, '') || ' ' || coalesce(u.last_name, '')), ''),"          \
    "  u.email),"                                                             \
    " 'subtitle', tp.start_date || ' to ' || tp.end_date,"                    \
    " 'facts', json_build_array("                                             \
    "  json_build_object('t', 'Status', 'v', ts.approval_status),"            \
    "  json_build_object('t', 'Hours', 'v', (SELECT round(coalesce("          \
    "   sum(e.billable_duration), 0) / 60.0, 2)::text FROM time_entries e"    \
    "   WHERE e.tenant = ts.tenant AND e.time_sheet_id = ts.id)),"            \
    "  json_build_object('t', 'Entries', 'v', (SELECT count(*)::text"         \
    "   FROM time_entries e WHERE e.tenant = ts.tenant"                       \
    "   AND e.time_sheet_id = ts.id)),"                                       \
    "  json_build_object('t', 'Submitted', 'v', to_char(ts.submitted_at,"     \
    "   'YYYY-MM-DD HH24:MI')))) AS j"                                        \
    " FROM gate g, time_sheets ts"                                            \
    " JOIN users u ON u.tenant = ts.tenant AND u.user_id = ts.user_id"        \
    " JOIN time_periods tp ON tp.tenant = ts.tenant"                          \
    "  AND tp.period_id = ts.period_id"                                       \
    " WHERE g.ok AND ts.tenant = $1::uuid"                                    \
    " AND (ts.user_id = $2::uuid OR 'timesheet:read_all' = ANY (g.perms)"     \
    "  OR 'timesheet:approve' = ANY (g.perms))"                               \
    " AND " NGX_TEAMS_SQL_SHEET_REF("4") " LIMIT 2)"                          \
    NGX_TEAMS_SQL_OPEN_TAIL

#define NGX_TEAMS_SQL_OPEN_ENTRY                                              \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", rec AS (SELECT json_build_object('kind', 'entry', 'id', e.entry_id,"   \
    " 'title', 'Time entry · ' || e.work_date || ' · '"                       \
    "  || round(coalesce(e.billable_duration, 0) / 60.0, 2) || ' h',"         \
    " 'subtitle', e.notes,"                                                   \
    " 'facts', json_build_array("                                             \
    "  json_build_object('t', 'Work item', 'v', e.work_item_type),"           \
    "  json_build_object('t', 'Status', 'v', e.approval_status),"             \
    "  json_build_object('t', 'Notes', 'v', e.notes))) AS j"                  \
    " FROM gate g, time_entries e"                                            \
    " WHERE g.ok AND e.tenant = $1::uuid AND e.entry_id::text = lower($4)"    \
    " AND (e.user_id = $2::uuid OR 'timesheet:read_all' = ANY (g.perms))"     \
    " LIMIT 2)"                                                               \
    NGX_TEAMS_SQL_OPEN_TAIL


/*
 * search (message extension): $4 text ('' = my recent work), $5 count,
 * $6 skip; one statement for all kinds and one per kind, so a search of
 * one kind plans and runs no branch of the others.  The only statement
 * answering rows, not one JSON object: the hits, one a row.
 */
#define NGX_TEAMS_SQL_SEARCH_HEAD                                             \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    ", q AS (SELECT '%' || replace(replace(replace(lower($4), '\\', '\\\\')," \
    " '%', '\\%'), '_', '\\_') || '%' AS pat, $4 = '' AS initial)"            \
    ", hits AS ("

#define NGX_TEAMS_SQL_SEARCH_TAIL                                             \
    "), page AS (SELECT * FROM hits ORDER BY ord, at DESC NULLS LAST, id"     \
    " OFFSET $6::int LIMIT $5::int)"                                          \
    " SELECT p.kind, p.id, p.extra, p.title, p.subtitle, p.closed"            \
    " FROM page p ORDER BY p.ord, p.at DESC NULLS LAST, p.id"

#define NGX_TEAMS_SQL_HITS_TICKET                                             \
    " SELECT 1 AS ord, 'ticket' AS kind, t.ticket_id::text AS id,"            \
    "  NULL::text AS extra,"                                                  \
    "  t.ticket_number || ' · ' || coalesce(t.title, '') AS title,"           \
    "  concat_ws(' · ', s.name, c.client_name) AS subtitle,"                  \
    "  t.updated_at AS at, t.is_closed AS closed"                             \
    " FROM gate g, q, tickets t"                                              \
    " LEFT JOIN statuses s ON s.tenant = t.tenant"                            \
    "  AND s.status_id = t.status_id"                                         \
    " LEFT JOIN clients c ON c.tenant = t.tenant"                             \
    "  AND c.client_id = t.client_id"                                         \
    " WHERE t.tenant = $1::uuid AND 'ticket:read' = ANY (g.perms)"            \
    " AND CASE WHEN q.initial THEN t.assigned_to = $2::uuid"                  \
    "  AND NOT t.is_closed"                                                   \
    "  ELSE lower(t.ticket_number) LIKE q.pat"                                \
    "  OR lower(coalesce(t.title, '')) LIKE q.pat END"

#define NGX_TEAMS_SQL_HITS_TASK                                               \
    " SELECT 2 AS ord, 'task' AS kind, pt.task_id::text AS id,"               \
    "  ph.project_id::text AS extra, pt.task_name AS title,"                  \
    "  pj.project_name AS subtitle, pt.updated_at AS at,"                     \
    "  NULL::boolean AS closed"                                               \
    " FROM gate g, q, project_tasks pt"                                       \
    " JOIN project_phases ph ON ph.tenant = pt.tenant"                        \
    "  AND ph.phase_id = pt.phase_id"                                         \
    " JOIN projects pj ON pj.tenant = ph.tenant"                              \
    "  AND pj.project_id = ph.project_id"                                     \
    " WHERE pt.tenant = $1::uuid AND 'project_task:read' = ANY (g.perms)"     \
    " AND CASE WHEN q.initial THEN pt.assigned_to = $2::uuid"                 \
    "  ELSE lower(pt.task_name) LIKE q.pat OR pt.wbs_code = $4 END"

#define NGX_TEAMS_SQL_HITS_CONTACT                                            \
    " SELECT 3 AS ord, 'contact' AS kind, ct.contact_name_id::text AS id,"    \
    "  NULL::text AS extra, coalesce(ct.full_name, ct.email) AS title,"       \
    "  concat_ws(' · ', ct.email, c.client_name) AS subtitle,"                \
    "  ct.updated_at AS at, NULL::boolean AS closed"                          \
    " FROM gate g, q, contacts ct"                                            \
    " LEFT JOIN clients c ON c.tenant = ct.tenant"                            \
    "  AND c.client_id = ct.client_id"                                        \
    " WHERE ct.tenant = $1::uuid AND NOT q.initial"                           \
    " AND 'contact:read' = ANY (g.perms)"                                     \
    " AND (lower(coalesce(ct.full_name, '')) LIKE q.pat"                      \
    "  OR lower(coalesce(ct.email, '')) LIKE q.pat)"

#define NGX_TEAMS_SQL_HITS_APPROVAL                                           \
    " SELECT 4 AS ord, 'approval' AS kind, ts.id::text AS id,"                \
    "  NULL::text AS extra,"                                                  \
    "  'Time sheet · ' || coalesce(nullif(trim(coalesce(u.first_name, '')"    \
    "  || ' ' || coalesce(u.last_name, '')), ''), u.email) AS title,"         \
    "  tp.start_date || ' to ' || tp.end_date || ' · approve '"               \
    "  || " NGX_TEAMS_SQL_SHEET_SHORT("ts.id") " AS subtitle,"                \
    "  ts.submitted_at AS at, NULL::boolean AS closed"                        \
    " FROM gate g, q, time_sheets ts"                                         \
    " JOIN users u ON u.tenant = ts.tenant AND u.user_id = ts.user_id"        \
    " JOIN time_periods tp ON tp.tenant = ts.tenant"                          \
    "  AND tp.period_id = ts.period_id"                                       \
    " WHERE ts.tenant = $1::uuid AND ts.approval_status = 'SUBMITTED'"        \
    " AND 'timesheet:approve' = ANY (g.perms)"                                \
    " AND (q.initial OR lower(u.first_name || ' ' || u.last_name) LIKE q.pat" \
    "  OR lower(u.email) LIKE q.pat OR " NGX_TEAMS_SQL_SHEET_REF("4") ")"

#define NGX_TEAMS_SQL_SEARCH                                                  \
    NGX_TEAMS_SQL_SEARCH_HEAD                                                 \
    NGX_TEAMS_SQL_HITS_TICKET " UNION ALL" NGX_TEAMS_SQL_HITS_TASK            \
    " UNION ALL" NGX_TEAMS_SQL_HITS_CONTACT                                   \
    " UNION ALL" NGX_TEAMS_SQL_HITS_APPROVAL                                  \
    NGX_TEAMS_SQL_SEARCH_TAIL

#define NGX_TEAMS_SQL_SEARCH_ONE(hits)                                        \
    NGX_TEAMS_SQL_SEARCH_HEAD hits NGX_TEAMS_SQL_SEARCH_TAIL

/* the clients to choose from when creating a ticket */
#define NGX_TEAMS_SQL_CLIENTS                                                 \
    NGX_TEAMS_SQL_CTX_READ                                                    \
    " SELECT json_build_object("                                              \
    " 'status', CASE WHEN g.ok THEN 'ok' ELSE 'denied' END,"                  \
    " 'choices', coalesce((SELECT json_agg(json_build_object("                \
    "  'title', x.client_name, 'value', x.client_id) ORDER BY x.client_name)" \
    "  FROM (SELECT c.client_id, c.client_name FROM clients c"                \
    "  WHERE g.ok AND c.tenant = $1::uuid AND NOT coalesce(c.is_inactive,"    \
    "  false) ORDER BY c.client_name LIMIT 100) x), '[]'))::text FROM gate g"


/* assign_ticket: $13 ticket ref, $14 assignee (me, e-mail, name, id) */
#define NGX_TEAMS_SQL_ASSIGN                                                  \
    NGX_TEAMS_SQL_CTX NGX_TEAMS_SQL_PRIOR                                     \
    ", tk AS (SELECT t.ticket_id, t.ticket_number, t.title, t.is_closed,"     \
    " t.assigned_to FROM tickets t WHERE t.tenant = $1::uuid AND "            \
    NGX_TEAMS_SQL_TICKET_REF("13") " LIMIT 2)"                                \
    ", who AS (SELECT u.user_id, coalesce(nullif(trim(coalesce("              \
    "  u.first_name, '') || ' ' || coalesce(u.last_name, '')), ''),"          \
    "  u.email) AS name FROM users u"                                         \
    " WHERE u.tenant = $1::uuid AND u.user_type = 'internal'"                 \
    " AND NOT coalesce(u.is_inactive, false)"                                 \
    " AND ((lower($14) = 'me' AND u.user_id = $2::uuid)"                      \
    "  OR lower(u.email) = lower($14) OR u.user_id::text = lower($14)"        \
    "  OR lower(u.username) = lower($14)"                                     \
    "  OR lower(trim(coalesce(u.first_name, '') || ' '"                       \
    "   || coalesce(u.last_name, ''))) = lower($14)"                          \
    "  OR lower(u.first_name) = lower($14)) LIMIT 2)"                         \
    ", go AS (SELECT tk.ticket_id, tk.ticket_number, tk.title,"               \
    " tk.assigned_to AS old_user, who.user_id AS new_user, who.name"          \
    " FROM gate g, tk, who WHERE g.ok AND NOT tk.is_closed"                   \
    " AND (SELECT count(*) FROM tk) = 1 AND (SELECT count(*) FROM who) = 1"   \
    " AND NOT EXISTS (SELECT 1 FROM prior))"                                  \
    ", rc AS (INSERT INTO teams_action_receipts (tenant, idempotency_key,"    \
    " action, result) SELECT $1::uuid, $8, $12, json_build_object("           \
    " 'title', 'Ticket assigned', 'text', go.ticket_number"                   \
    "  || ' is now assigned to ' || go.name || '.',"                          \
    " 'rec', json_build_object('kind', 'ticket', 'id', go.ticket_id,"         \
    "  'number', go.ticket_number, 'title', go.ticket_number || ' · '"        \
    "  || coalesce(go.title, '')),"                                           \
    " 'event', " NGX_TEAMS_SQL_EVENT("'TICKET_ASSIGNED'",                     \
    "json_build_object('tenantId', $1::uuid, 'ticketId', go.ticket_id,"       \
    "  'userId', go.new_user, 'assignedByUserId', $2::uuid,"                  \
    "  'changes', json_build_object('assigned_to', json_build_object("        \
    "  'old', go.old_user, 'new', go.new_user)))") ")::jsonb FROM go"         \
    " ON CONFLICT DO NOTHING RETURNING result)"                               \
    ", drop_res AS (DELETE FROM ticket_resources r USING go, rc"              \
    " WHERE r.tenant = $1::uuid AND r.ticket_id = go.ticket_id"               \
    " AND r.additional_user_id = go.new_user RETURNING 1)"                    \
    ", move_res AS (UPDATE ticket_resources r SET assigned_to = go.new_user"  \
    " FROM go, rc WHERE r.tenant = $1::uuid AND r.ticket_id = go.ticket_id"   \
    " AND r.additional_user_id IS DISTINCT FROM go.new_user RETURNING 1)"     \
    ", upd AS (UPDATE tickets t SET assigned_to = go.new_user,"               \
    " updated_by = $2::uuid, updated_at = now() FROM go, rc"                  \
    " WHERE t.tenant = $1::uuid AND t.ticket_id = go.ticket_id RETURNING 1)"  \
    NGX_TEAMS_SQL_AUDIT("'ticket'", "go.ticket_id::text")                     \
    " SELECT json_build_object("                                              \
    NGX_TEAMS_SQL_STATUS(                                                     \
    " WHEN (SELECT count(*) FROM tk) = 0 THEN 'not_found'"                    \
    " WHEN (SELECT count(*) FROM tk) > 1 THEN 'ambiguous'"                    \
    " WHEN (SELECT bool_or(is_closed) FROM tk) THEN 'closed'"                 \
    " WHEN (SELECT count(*) FROM who) = 0 THEN 'no_assignee'"                 \
    " WHEN (SELECT count(*) FROM who) > 1 THEN 'ambiguous_assignee'")         \
    ")::text FROM gate g"

/*
 * add_note, reply_to_contact and update_from_message on a ticket: a new
 * comment thread with its root comment, as the PSA writes a top-level
 * comment.  $13 ticket ref, $14 text, $15 internal (true|false),
 * $16 comments.metadata (JSON or NULL)
 */
#define NGX_TEAMS_SQL_NOTE                                                    \
    NGX_TEAMS_SQL_CTX NGX_TEAMS_SQL_PRIOR                                     \
    ", tk AS (SELECT t.ticket_id, t.ticket_number, t.title, t.is_closed,"     \
    " t.contact_name_id FROM tickets t WHERE t.tenant = $1::uuid AND "        \
    NGX_TEAMS_SQL_TICKET_REF("13") " LIMIT 2)"                                \
    ", go AS (SELECT tk.*, gen_random_uuid() AS comment_id,"                  \
    " gen_random_uuid() AS thread_id, g.name AS author"                       \
    " FROM gate g, tk WHERE g.ok AND (SELECT count(*) FROM tk) = 1"           \
    " AND ($15::boolean OR tk.contact_name_id IS NOT NULL)"                   \
    " AND NOT EXISTS (SELECT 1 FROM prior))"                                  \
    ", rc AS (INSERT INTO teams_action_receipts (tenant, idempotency_key,"    \
    " action, result) SELECT $1::uuid, $8, $12, json_build_object("           \
    " 'title', CASE WHEN $15::boolean THEN 'Internal note added'"             \
    "  ELSE 'Reply sent to the contact' END,"                                 \
    " 'text', left($14, 300), 'comment_id', go.comment_id,"                   \
    " 'rec', json_build_object('kind', 'ticket', 'id', go.ticket_id,"         \
    "  'number', go.ticket_number, 'title', go.ticket_number || ' · '"        \
    "  || coalesce(go.title, '')),"                                           \
    " 'event', " NGX_TEAMS_SQL_EVENT("'TICKET_COMMENT_ADDED'",                \
    "json_build_object('tenantId', $1::uuid, 'ticketId', go.ticket_id,"       \
    "  'userId', $2::uuid, 'comment', json_build_object("                     \
    "  'id', go.comment_id, 'content', $14, 'author', go.author,"             \
    "  'isInternal', $15::boolean, 'authorType', 'internal'))") ")::jsonb"    \
    " FROM go ON CONFLICT DO NOTHING RETURNING result)"                       \
    ", th AS (INSERT INTO comment_threads (tenant, thread_id, ticket_id,"     \
    " root_comment_id, is_internal, reply_count, last_activity_at,"           \
    " created_at, created_by) SELECT $1::uuid, go.thread_id, go.ticket_id,"   \
    " go.comment_id, $15::boolean, 0, now(), now(), $2::uuid FROM go, rc"     \
    " RETURNING thread_id)"                                                   \
    ", cm AS (INSERT INTO comments (tenant, comment_id, ticket_id, user_id,"  \
    " note, is_internal, is_resolution, created_at, updated_at,"              \
    " author_type, markdown_content, metadata, thread_id)"                    \
    " SELECT $1::uuid, go.comment_id, go.ticket_id, $2::uuid, $14,"           \
    " $15::boolean, false, now(), now(), 'internal', $14, $16::jsonb,"        \
    " th.thread_id FROM go, th RETURNING comment_id)"                         \
    ", upd AS (UPDATE tickets t SET updated_at = now(),"                      \
    " updated_by = $2::uuid, response_state = CASE WHEN $15::boolean"         \
    " OR t.is_closed THEN t.response_state"                                   \
    " ELSE 'awaiting_client'::ticket_response_state END"                      \
    " FROM go, cm WHERE t.tenant = $1::uuid AND t.ticket_id = go.ticket_id"   \
    " RETURNING 1)"                                                           \
    NGX_TEAMS_SQL_AUDIT("'ticket'", "go.ticket_id::text")                     \
    " SELECT json_build_object("                                              \
    NGX_TEAMS_SQL_STATUS(                                                     \
    " WHEN (SELECT count(*) FROM tk) = 0 THEN 'not_found'"                    \
    " WHEN (SELECT count(*) FROM tk) > 1 THEN 'ambiguous'"                    \
    " WHEN NOT $15::boolean AND (SELECT contact_name_id FROM tk) IS NULL"     \
    "  THEN 'no_contact'")                                                    \
    ")::text FROM gate g"

/*
 * update_from_message on a project task: a project_task_comments row in a
 * task comment thread.  $13 task ref, $14 text, $16 metadata
 */
#define NGX_TEAMS_SQL_TASK_NOTE                                               \
    NGX_TEAMS_SQL_CTX NGX_TEAMS_SQL_PRIOR                                     \
    ", tk AS (SELECT pt.task_id, pt.task_name, ph.project_id"                 \
    " FROM project_tasks pt JOIN project_phases ph ON ph.tenant = pt.tenant"  \
    " AND ph.phase_id = pt.phase_id WHERE pt.tenant = $1::uuid"               \
    " AND (pt.task_id::text = lower($13) OR pt.wbs_code = $13) LIMIT 2)"      \
    ", go AS (SELECT tk.*, gen_random_uuid() AS comment_id,"                  \
    " gen_random_uuid() AS thread_id, $15::text AS unused"                    \
    " FROM gate g, tk WHERE g.ok"                                             \
    " AND (SELECT count(*) FROM tk) = 1 AND NOT EXISTS (SELECT 1 FROM prior))"\
    ", rc AS (INSERT INTO teams_action_receipts (tenant, idempotency_key,"    \
    " action, result) SELECT $1::uuid, $8, $12, json_build_object("           \
    " 'title', 'Note added to the task', 'text', left($14, 300),"             \
    " 'comment_id', go.comment_id,"                                           \
    " 'rec', json_build_object('kind', 'task', 'id', go.task_id,"             \
    "  'extra', go.project_id, 'title', go.task_name))::jsonb FROM go"        \
    " ON CONFLICT DO NOTHING RETURNING result)"                               \
    ", th AS (INSERT INTO comment_threads (tenant, thread_id,"                \
    " project_task_id, root_comment_id, is_internal, reply_count,"            \
    " last_activity_at, created_at, created_by) SELECT $1::uuid,"             \
    " go.thread_id, go.task_id, go.comment_id, true, 0, now(), now(),"        \
    " $2::uuid FROM go, rc RETURNING thread_id)"                              \
    ", cm AS (INSERT INTO project_task_comments (tenant, task_comment_id,"    \
    " task_id, user_id, note, markdown_content, metadata, thread_id,"         \
    " created_at, updated_at) SELECT $1::uuid, go.comment_id, go.task_id,"    \
    " $2::uuid, $14, $14, $16::jsonb, th.thread_id, now(), now()"             \
    " FROM go, th RETURNING 1)"                                               \
    NGX_TEAMS_SQL_AUDIT("'project_task'", "go.task_id::text")                 \
    " SELECT json_build_object("                                              \
    NGX_TEAMS_SQL_STATUS(                                                     \
    " WHEN (SELECT count(*) FROM tk) = 0 THEN 'not_found'"                    \
    " WHEN (SELECT count(*) FROM tk) > 1 THEN 'ambiguous'")                   \
    ")::text FROM gate g"

/*
 * log_time: a time_entries row in the user's time sheet of the period of
 * the work date (a DRAFT sheet is created when the period has none; a
 * submitted or approved sheet takes no new time).  $13 kind (ticket|task),
 * $14 ref, $15 minutes, $16 note, $17 work date ('' = today in the user's
 * time zone)
 */
#define NGX_TEAMS_SQL_LOG_TIME                                                \
    NGX_TEAMS_SQL_CTX NGX_TEAMS_SQL_PRIOR                                     \
    ", item AS (SELECT t.ticket_id AS id, 'ticket' AS wtype,"                 \
    " t.ticket_number || ' · ' || coalesce(t.title, '') AS title,"            \
    " t.ticket_number AS num, NULL::uuid AS project_id"                       \
    " FROM tickets t WHERE $13 = 'ticket' AND t.tenant = $1::uuid AND "       \
    NGX_TEAMS_SQL_TICKET_REF("14")                                            \
    " UNION ALL SELECT pt.task_id, 'project_task', pt.task_name, NULL,"       \
    " ph.project_id FROM project_tasks pt JOIN project_phases ph"             \
    " ON ph.tenant = pt.tenant AND ph.phase_id = pt.phase_id"                 \
    " WHERE $13 = 'task' AND pt.tenant = $1::uuid"                            \
    " AND (pt.task_id::text = lower($14) OR pt.wbs_code = $14) LIMIT 2)"      \
    ", wd AS (SELECT coalesce(nullif($17, '')::date,"                         \
    " (now() AT TIME ZONE g.tz)::date) AS d, g.tz FROM gate g)"               \
    ", per AS (SELECT tp.period_id, coalesce(tp.is_closed, false) AS closed"  \
    " FROM time_periods tp, wd WHERE tp.tenant = $1::uuid"                    \
    " AND wd.d BETWEEN tp.start_date AND tp.end_date"                         \
    " ORDER BY tp.start_date DESC LIMIT 1)"                                   \
    ", sheet AS (SELECT ts.id, ts.approval_status::text AS st"                \
    " FROM time_sheets ts, per WHERE ts.tenant = $1::uuid"                    \
    " AND ts.user_id = $2::uuid AND ts.period_id = per.period_id LIMIT 1)"    \
    ", go AS (SELECT item.*, wd.d, wd.tz, per.period_id,"                     \
    " coalesce((SELECT id FROM sheet), gen_random_uuid()) AS sheet_id,"       \
    " NOT EXISTS (SELECT 1 FROM sheet) AS new_sheet,"                         \
    " gen_random_uuid() AS entry_id FROM gate g, item, wd, per"               \
    " WHERE g.ok AND (SELECT count(*) FROM item) = 1 AND NOT per.closed"      \
    " AND coalesce((SELECT st FROM sheet), 'DRAFT')"                          \
    "  IN ('DRAFT', 'CHANGES_REQUESTED')"                                     \
    " AND NOT EXISTS (SELECT 1 FROM prior))"                                  \
    ", rc AS (INSERT INTO teams_action_receipts (tenant, idempotency_key,"    \
    " action, result) SELECT $1::uuid, $8, $12, json_build_object("           \
    " 'title', 'Time logged', 'text', round($15::int / 60.0, 2) || ' h on '"  \
    "  || go.d || coalesce(': ' || nullif($16, ''), ''),"                     \
    " 'entry_id', go.entry_id, 'sheet_id', go.sheet_id,"                      \
    " 'rec', json_build_object('kind', CASE go.wtype WHEN 'ticket'"           \
    "  THEN 'ticket' ELSE 'task' END, 'id', go.id, 'number', go.num,"         \
    "  'extra', go.project_id, 'title', go.title),"                           \
    " 'event', " NGX_TEAMS_SQL_EVENT("'TIME_ENTRY_CREATED'",                  \
    "json_build_object('tenantId', $1::uuid, 'timeEntryId', go.entry_id,"     \
    "  'userId', $2::uuid, 'timeSheetId', go.sheet_id,"                       \
    "  'workItemId', go.id, 'workItemType', go.wtype,"                        \
    "  'billableDuration', $15::int, 'workDate', go.d)") ")::jsonb FROM go"   \
    " ON CONFLICT DO NOTHING RETURNING result)"                               \
    ", ns AS (INSERT INTO time_sheets (tenant, id, user_id, period_id,"       \
    " approval_status) SELECT $1::uuid, go.sheet_id, $2::uuid, go.period_id," \
    " 'DRAFT' FROM go, rc WHERE go.new_sheet RETURNING id)"                   \
    ", te AS (INSERT INTO time_entries (tenant, entry_id, user_id,"           \
    " start_time, end_time, notes, work_item_id, billable_duration,"          \
    " work_item_type, approval_status, time_sheet_id, created_at,"            \
    " updated_at, work_date, work_timezone, created_by, updated_by)"          \
    " SELECT $1::uuid, go.entry_id, $2::uuid,"                                \
    " (go.d + time '09:00') AT TIME ZONE go.tz,"                              \
    " (go.d + time '09:00') AT TIME ZONE go.tz"                               \
    "  + make_interval(mins => $15::int), nullif($16, ''), go.id,"            \
    " $15::int, go.wtype, 'DRAFT', go.sheet_id, now(), now(), go.d, go.tz,"   \
    " $2::uuid, $2::uuid FROM go, rc RETURNING 1)"                            \
    NGX_TEAMS_SQL_AUDIT("go.wtype", "go.id::text")                            \
    " SELECT json_build_object("                                              \
    NGX_TEAMS_SQL_STATUS(                                                     \
    " WHEN (SELECT count(*) FROM item) = 0 THEN 'not_found'"                  \
    " WHEN (SELECT count(*) FROM item) > 1 THEN 'ambiguous'"                  \
    " WHEN NOT EXISTS (SELECT 1 FROM per) THEN 'no_period'"                   \
    " WHEN (SELECT closed FROM per) THEN 'period_closed'"                     \
    " WHEN (SELECT st FROM sheet) NOT IN ('DRAFT', 'CHANGES_REQUESTED')"      \
    "  THEN 'sheet_locked'")                                                  \
    ")::text FROM gate g"

/*
 * approval_response: the time sheet and its entries move to APPROVED or
 * CHANGES_REQUESTED, the approver's comment goes to time_sheet_comments.
 * $13 approval ref, $14 decision, $15 comment
 */
#define NGX_TEAMS_SQL_APPROVAL                                                \
    NGX_TEAMS_SQL_CTX NGX_TEAMS_SQL_PRIOR                                     \
    ", sh AS (SELECT ts.id, ts.user_id, ts.approval_status::text AS st,"      \
    " coalesce(nullif(trim(coalesce(u.first_name, '') || ' '"                 \
    "  || coalesce(u.last_name, '')), ''), u.email) AS who"                   \
    " FROM time_sheets ts JOIN users u ON u.tenant = ts.tenant"               \
    " AND u.user_id = ts.user_id WHERE ts.tenant = $1::uuid AND "             \
    NGX_TEAMS_SQL_SHEET_REF("13") " LIMIT 2)"                                 \
    ", go AS (SELECT sh.*, CASE WHEN $14 = 'approve' THEN 'APPROVED'"         \
    " ELSE 'CHANGES_REQUESTED' END AS new_st FROM gate g, sh"                 \
    " WHERE g.ok AND (SELECT count(*) FROM sh) = 1 AND sh.st = 'SUBMITTED'"   \
    " AND NOT EXISTS (SELECT 1 FROM prior))"                                  \
    ", rc AS (INSERT INTO teams_action_receipts (tenant, idempotency_key,"    \
    " action, result) SELECT $1::uuid, $8, $12, json_build_object("           \
    " 'title', CASE WHEN $14 = 'approve' THEN 'Time sheet approved'"          \
    "  ELSE 'Changes requested' END,"                                         \
    " 'text', 'Time sheet of ' || go.who"                                     \
    "  || coalesce(': ' || nullif($15, ''), '.'),"                            \
    " 'rec', json_build_object('kind', 'approval', 'id', go.id,"              \
    "  'title', 'Time sheet · ' || go.who),"                                  \
    " 'event', " NGX_TEAMS_SQL_EVENT("'TIME_SHEET_' || go.new_st",            \
    "json_build_object('tenantId', $1::uuid, 'timeSheetId', go.id,"           \
    "  'userId', go.user_id, 'approverId', $2::uuid,"                         \
    "  'approvalStatus', go.new_st, 'comment', nullif($15, ''))") ")::jsonb"  \
    " FROM go ON CONFLICT DO NOTHING RETURNING result)"                       \
    ", upd AS (UPDATE time_sheets s SET approval_status ="                    \
    " go.new_st::approvalstatus, approved_at = CASE WHEN $14 = 'approve'"     \
    " THEN now() END, approved_by = CASE WHEN $14 = 'approve'"                \
    " THEN $2::uuid END FROM go, rc WHERE s.tenant = $1::uuid"                \
    " AND s.id = go.id RETURNING 1)"                                          \
    ", ent AS (UPDATE time_entries e SET approval_status ="                   \
    " go.new_st::approvalstatus, updated_at = now(), updated_by = $2::uuid"   \
    " FROM go, rc WHERE e.tenant = $1::uuid AND e.time_sheet_id = go.id"      \
    " RETURNING 1)"                                                           \
    ", cmt AS (INSERT INTO time_sheet_comments (comment_id, time_sheet_id,"   \
    " user_id, comment, created_at, is_approver, tenant)"                     \
    " SELECT gen_random_uuid(), go.id, $2::uuid, $15, now(), true,"           \
    " $1::uuid FROM go, rc WHERE coalesce($15, '') <> '' RETURNING 1)"        \
    NGX_TEAMS_SQL_AUDIT("'time_sheet'", "go.id::text")                        \
    " SELECT json_build_object("                                              \
    NGX_TEAMS_SQL_STATUS(                                                     \
    " WHEN (SELECT count(*) FROM sh) = 0 THEN 'not_found'"                    \
    " WHEN (SELECT count(*) FROM sh) > 1 THEN 'ambiguous'"                    \
    " WHEN (SELECT st FROM sh) <> 'SUBMITTED' THEN 'not_pending'")            \
    ")::text FROM gate g"

/*
 * create_ticket_from_message: a ticket numbered by generate_next_number on
 * the default board with its default open status and priority, the Teams
 * source in attributes.  $13 title, $14 description, $15 client id,
 * $16 Teams source (JSON)
 */
#define NGX_TEAMS_SQL_CREATE                                                  \
    NGX_TEAMS_SQL_CTX NGX_TEAMS_SQL_PRIOR                                     \
    ", cl AS (SELECT c.client_id, c.client_name FROM clients c"               \
    " WHERE c.tenant = $1::uuid AND c.client_id::text = lower($15))"          \
    ", bd AS (SELECT b.board_id, b.default_priority_id FROM boards b"         \
    " WHERE b.tenant = $1::uuid AND NOT coalesce(b.is_inactive, false)"       \
    " ORDER BY b.is_default DESC NULLS LAST, b.display_order LIMIT 1)"        \
    ", st AS (SELECT s.status_id FROM statuses s, bd"                         \
    " WHERE s.tenant = $1::uuid AND s.status_type = 'ticket'"                 \
    " AND s.board_id = bd.board_id AND NOT s.is_closed"                       \
    " ORDER BY s.is_default DESC NULLS LAST, s.order_number LIMIT 1)"         \
    ", go AS (SELECT gen_random_uuid() AS ticket_id, cl.client_id,"           \
    " bd.board_id, bd.default_priority_id, st.status_id"                      \
    " FROM gate g, cl, bd, st WHERE g.ok"                                     \
    " AND NOT EXISTS (SELECT 1 FROM prior))"                                  \
    ", num AS (SELECT generate_next_number($1::uuid, 'TICKET') AS n FROM go)" \
    ", rc AS (INSERT INTO teams_action_receipts (tenant, idempotency_key,"    \
    " action, result) SELECT $1::uuid, $8, $12, json_build_object("           \
    " 'title', 'Ticket created', 'text', num.n || ' · ' || $13,"              \
    " 'rec', json_build_object('kind', 'ticket', 'id', go.ticket_id,"         \
    "  'number', num.n, 'title', num.n || ' · ' || $13),"                     \
    " 'event', " NGX_TEAMS_SQL_EVENT("'TICKET_CREATED'",                      \
    "json_build_object('tenantId', $1::uuid, 'ticketId', go.ticket_id,"       \
    "  'userId', $2::uuid)") ")::jsonb"                                       \
    " FROM go, num ON CONFLICT DO NOTHING RETURNING result)"                  \
    ", ins AS (INSERT INTO tickets (tenant, ticket_id, ticket_number, title," \
    " status_id, priority_id, entered_by, updated_by, entered_at,"            \
    " updated_at, is_closed, attributes, board_id, client_id, source,"        \
    " ticket_origin) SELECT $1::uuid, go.ticket_id, num.n, $13,"              \
    " go.status_id, go.default_priority_id, $2::uuid, $2::uuid, now(),"       \
    " now(), false, jsonb_build_object('description', nullif($14, ''),"       \
    " 'teams_source', $16::jsonb), go.board_id, go.client_id, 'teams',"       \
    " 'internal' FROM go, num, rc RETURNING 1)"                               \
    NGX_TEAMS_SQL_AUDIT("'ticket'", "go.ticket_id::text")                     \
    " SELECT json_build_object("                                              \
    NGX_TEAMS_SQL_STATUS(                                                     \
    " WHEN NOT EXISTS (SELECT 1 FROM cl) THEN 'no_client'"                    \
    " WHEN NOT EXISTS (SELECT 1 FROM st) THEN 'no_board'")                    \
    ")::text FROM gate g"

/* conversationUpdate / installationUpdate: the conversation reference */
#define NGX_TEAMS_SQL_CONVREF                                                 \
    "INSERT INTO teams_conversation_references (tenant, microsoft_user_id,"   \
    " conversation_id, conversation_type, service_url, tenant_id_aad,"        \
    " channel_id_bot_framework, last_activity_at)"                            \
    " VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, now())"                       \
    " ON CONFLICT (tenant, microsoft_user_id, conversation_id) DO UPDATE"     \
    " SET service_url = EXCLUDED.service_url,"                                \
    " conversation_type = EXCLUDED.conversation_type,"                        \
    " tenant_id_aad = EXCLUDED.tenant_id_aad,"                                \
    " channel_id_bot_framework = EXCLUDED.channel_id_bot_framework,"          \
    " last_activity_at = now(), updated_at = now()"


#endif /* _NGX_TEAMS_ACTION_SQL_H_INCLUDED_ */
