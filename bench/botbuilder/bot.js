// bench/botbuilder/bot.js: the reference bot for the bench -- Microsoft's
// Bot Framework SDK for Node (CloudAdapter + TeamsActivityHandler) doing the
// work ngx_teams_module does for two invokes, so both can be measured in the
// same run against the same stand-in keys and the same PostgreSQL:
//
//   composeExtension/query   search tenant A's tickets (number or title),
//                            queryOptions skip/count, list results with a
//                            thumbnail preview
//   adaptiveCard/action      verb "add_note": an internal note on a ticket
//                            (comment_threads + comments rows, one statement)
//
// Tokens are validated by the SDK itself against the stand-in's Bot
// Framework OpenID metadata (ToBotFromChannelOpenIdMetadataUrl); the caller
// is resolved like the module does (profile by client id, linked user by
// Entra object id), cached per process as the module caches it.
//
//   node bot.js   with BOT_PORT, BOT_APP_ID, BOT_OPENID_METADATA,
//                 BOT_ENTRA_METADATA, BOT_PG (libpq-style "host port dbname
//                 user" as PGHOST/PGPORT/... env vars are honoured by pg)
'use strict';

const http = require('http');
const { CloudAdapter, ConfigurationBotFrameworkAuthentication,
        TeamsActivityHandler, CardFactory } = require('botbuilder');
const { Pool } = require('pg');

const port = Number(process.env.BOT_PORT || 3978);
const appId = process.env.BOT_APP_ID;
const metadata = process.env.BOT_OPENID_METADATA;
if (!appId || !metadata) {
    console.error('bot.js: BOT_APP_ID and BOT_OPENID_METADATA are required');
    process.exit(2);
}

// every parameterized setting given: nothing is fetched from Microsoft
const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: appId,
    MicrosoftAppType: 'MultiTenant',
    MicrosoftAppPassword: 'bench-not-used-for-invokes',
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    ToBotFromChannelOpenIdMetadataUrl: metadata,
    ToBotFromEmulatorOpenIdMetadataUrl:
        process.env.BOT_ENTRA_METADATA || metadata,
    CallerId: 'urn:botframework:azure',
});
const adapter = new CloudAdapter(auth);
adapter.onTurnError = async (context, err) => {
    console.error('bot.js: turn error:', err && err.message);
};

const pool = new Pool({ max: Number(process.env.BOT_PG_POOL || 8) });

const IDENTITY_SQL =
    'SELECT p.tenant, u.user_id FROM microsoft_profiles p'
    + ' JOIN microsoft_profile_consumer_bindings b ON b.tenant = p.tenant'
    + "  AND b.consumer_type = 'teams' AND b.profile_id = p.profile_id"
    + ' JOIN user_auth_accounts a ON a.tenant = p.tenant'
    + "  AND a.provider = 'microsoft' AND a.provider_account_id = $3"
    + ' JOIN users u ON u.tenant = a.tenant AND u.user_id = a.user_id'
    + ' WHERE p.client_id = $1 AND lower(p.tenant_id) = lower($2)'
    + '  AND NOT p.is_archived AND NOT coalesce(u.is_inactive, false)'
    + ' LIMIT 2';

const SEARCH_SQL =
    'SELECT t.ticket_id, t.ticket_number, t.title, s.name AS status'
    + ' FROM tickets t LEFT JOIN statuses s ON s.tenant = t.tenant'
    + '  AND s.status_id = t.status_id'
    + ' WHERE t.tenant = $1 AND ($2 = \'\' OR t.ticket_number ILIKE $2'
    + '  OR t.title ILIKE \'%\' || $2 || \'%\')'
    + ' ORDER BY t.updated_at DESC NULLS LAST, t.ticket_number'
    + ' LIMIT $3 OFFSET $4';

const NOTE_SQL =
    'WITH t AS (SELECT ticket_id FROM tickets WHERE tenant = $1'
    + '  AND ticket_id = $2),'
    + ' c AS (SELECT gen_random_uuid() AS comment_id,'
    + '  gen_random_uuid() AS thread_id),'
    + ' th AS (INSERT INTO comment_threads (tenant, thread_id, ticket_id,'
    + '  root_comment_id, is_internal, created_by)'
    + '  SELECT $1, c.thread_id, t.ticket_id, c.comment_id, true, $3'
    + '  FROM t, c RETURNING thread_id)'
    + ' INSERT INTO comments (tenant, comment_id, ticket_id, user_id, note,'
    + '  is_internal, is_resolution, author_type, thread_id)'
    + " SELECT $1, c.comment_id, t.ticket_id, $3, $4, true, false, 'internal',"
    + '  th.thread_id FROM t, c, th RETURNING comment_id';

const identities = new Map();

async function identify(context) {
    const a = context.activity;
    const tid = (a.channelData && a.channelData.tenant
                 && a.channelData.tenant.id) || a.conversation.tenantId;
    const oid = a.from && a.from.aadObjectId;
    if (!tid || !oid) return null;
    const key = tid + '/' + oid;
    const hit = identities.get(key);
    if (hit && hit.until > Date.now()) return hit.id;
    const r = await pool.query(IDENTITY_SQL, [appId, tid, oid]);
    const id = r.rows.length === 1 ? r.rows[0] : null;
    identities.set(key, { id, until: Date.now() + 60000 });
    return id;
}

class BenchBot extends TeamsActivityHandler {
    async handleTeamsMessagingExtensionQuery(context, query) {
        const id = await identify(context);
        if (!id) {
            return { composeExtension: { type: 'message',
                                         text: 'Not linked to the PSA.' } };
        }
        const p = (query.parameters || []).find((x) => x.name !== 'initialRun');
        const text = p && typeof p.value === 'string' ? p.value.trim() : '';
        const o = query.queryOptions || {};
        const count = Math.min(Math.max(Number(o.count) || 10, 1), 25);
        const skip = Math.max(Number(o.skip) || 0, 0);
        const r = await pool.query(SEARCH_SQL, [id.tenant, text, count, skip]);
        return {
            composeExtension: {
                type: 'result',
                attachmentLayout: 'list',
                attachments: r.rows.map((t) => {
                    const card = CardFactory.adaptiveCard({
                        type: 'AdaptiveCard', version: '1.5',
                        body: [{ type: 'TextBlock', weight: 'Bolder',
                                 text: `#${t.ticket_number} ${t.title}` },
                               { type: 'TextBlock',
                                 text: t.status || '' }],
                        actions: [{ type: 'Action.Execute', title: 'Add note',
                                    verb: 'add_note',
                                    data: { ticket_id: t.ticket_id } }],
                    });
                    card.preview = CardFactory.thumbnailCard(
                        `#${t.ticket_number}`, t.title || '');
                    return card;
                }),
            },
        };
    }

    async onAdaptiveCardInvoke(context, value) {
        const id = await identify(context);
        const a = value.action || {};
        const d = a.data || {};
        const err = (code, message) => ({
            statusCode: 400, type: 'application/vnd.microsoft.error',
            value: { code, message } });
        if (!id) return err('NotLinked', 'Not linked to the PSA.');
        if (a.verb !== 'add_note') return err('NotSupported', 'Unknown verb');
        const note = typeof d.note === 'string' ? d.note.trim() : '';
        if (!note || typeof d.ticket_id !== 'string'
            || !/^[0-9a-f-]{36}$/i.test(d.ticket_id)) {
            return err('BadRequest', 'ticket_id and note are required');
        }
        const r = await pool.query(NOTE_SQL,
                                   [id.tenant, d.ticket_id, id.user_id, note]);
        if (r.rows.length !== 1) return err('NotFound', 'No such ticket');
        return { statusCode: 200,
                 type: 'application/vnd.microsoft.activity.message',
                 value: 'Note added.' };
    }
}

const bot = new BenchBot();

// CloudAdapter.process wants express-style req/res; wrap Node's own.
// The SDK answers 500 when a token fails verification (a bad signature or
// an unknown key throws a plain error, not its AuthenticationError); a
// failure before the turn ran is an authentication failure: 401.
function wrapRes(res, turn) {
    return {
        socket: res.socket,
        header(name, value) { res.setHeader(name, value); },
        status(code) {
            res.statusCode = (code === 500 && !turn.ran) ? 401 : code;
        },
        send(body) {
            if (body === undefined || body === null) return;
            if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
                res.setHeader('Content-Type', 'application/json');
                body = JSON.stringify(body);
            }
            res.write(body);
        },
        end() { res.end(); },
    };
}

const server = http.createServer((req, res) => {
    // the module's path too, so the bench's wrk script serves both
    if (req.method !== 'POST' || (req.url !== '/api/messages'
                                  && req.url !== '/api/teams/messages')) {
        res.statusCode = 404;
        res.end();
        return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        let body;
        try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (e) {
            res.statusCode = 400;
            res.end();
            return;
        }
        const wreq = { body, headers: req.headers, method: req.method };
        const turn = { ran: false };
        adapter.process(wreq, wrapRes(res, turn), (context) => {
            turn.ran = true;
            return bot.run(context);
        }).catch((e) => {
                if (!res.headersSent) res.statusCode = turn.ran ? 500 : 401;
                res.end();
            });
    });
});
server.keepAliveTimeout = 65000;
server.listen(port, '127.0.0.1', () => {
    console.log(`bench botbuilder bot listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => { server.close(); pool.end(); process.exit(0); });
