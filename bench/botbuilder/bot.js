// bench/botbuilder/bot.js: the reference bot for the bench -- Microsoft's
// Bot Framework SDK for Node (CloudAdapter + TeamsActivityHandler) doing the
// work ngx_teams_module does for two invokes, with the module's own SQL (the
// statements are read from files bench/run.sh writes with build/pg-ceiling
// --sql), so both can be measured in the same run against the same stand-in
// keys and the same PostgreSQL:
//
//   composeExtension/query   the caller's context (permissions, allowed
//                            actions, capabilities, app id; cached per
//                            process for 30 s as the module caches it), the
//                            message-extension capability gate, the ticket
//                            search with queryOptions skip/count, and per hit
//                            an Adaptive Card with refresh, deep links and
//                            the buttons the caller may use, and a thumbnail
//                            preview
//   adaptiveCard/action      verb "add_note": the module's add-note
//                            statement (gate, idempotency receipt, thread,
//                            comment, ticket update, audit row), then the PSA
//                            event on the Redis event stream
//
// Tokens are validated by the SDK itself against the stand-in's Bot
// Framework OpenID metadata (ToBotFromChannelOpenIdMetadataUrl); the caller
// is resolved like the module does (profile by client id, linked user by
// Entra object id), cached per process as the module caches it.
//
//   node bot.js   with BOT_PORT, BOT_APP_ID, BOT_OPENID_METADATA,
//                 BOT_ENTRA_METADATA, BOT_SQL_DIR (caller.sql, search.sql,
//                 note.sql), BOT_REDIS_PORT, BOT_PSA_URL; PostgreSQL from
//                 the PGHOST/PGPORT/... variables pg honours
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
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

const sqlDir = process.env.BOT_SQL_DIR;
if (!sqlDir) {
    console.error('bot.js: BOT_SQL_DIR is required');
    process.exit(2);
}
const readSql = (name) => fs.readFileSync(path.join(sqlDir, name), 'utf8');
const CALLER_SQL = readSql('caller.sql');
const SEARCH_SQL = readSql('search.sql');
const NOTE_SQL = readSql('note.sql');
const psaUrl = (process.env.BOT_PSA_URL || 'https://psa.example')
    .replace(/\/$/, '');

// a minimal Redis client: RESP commands in order, replies matched in order
class Redis {
    constructor(port) {
        this.waiting = [];
        this.buf = Buffer.alloc(0);
        this.sock = net.connect(port, '127.0.0.1');
        this.sock.on('data', (d) => this.read(d));
        this.sock.on('error', (e) => {
            for (const w of this.waiting.splice(0)) w.reject(e);
        });
    }

    command(...args) {
        let out = `*${args.length}\r\n`;
        for (const a of args) {
            out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
        }
        return new Promise((resolve, reject) => {
            this.waiting.push({ resolve, reject });
            this.sock.write(out);
        });
    }

    read(d) {
        this.buf = Buffer.concat([this.buf, d]);
        for (;;) {
            const eol = this.buf.indexOf('\r\n');
            if (eol < 0) return;
            const type = String.fromCharCode(this.buf[0]);
            let value = this.buf.toString('utf8', 1, eol);
            let end = eol + 2;
            if (type === '$' && Number(value) >= 0) {
                const n = Number(value);
                if (this.buf.length < end + n + 2) return;
                value = this.buf.toString('utf8', end, end + n);
                end += n + 2;
            }
            this.buf = this.buf.subarray(end);
            const w = this.waiting.shift();
            if (w === undefined) continue;
            if (type === '-') w.reject(new Error(value));
            else w.resolve(value);
        }
    }
}

const redis = new Redis(Number(process.env.BOT_REDIS_PORT || 6379));

const identities = new Map();
const callers = new Map();

// who the caller is, and (cached 30 s like the module) what they may do
async function identify(context) {
    const a = context.activity;
    const tid = (a.channelData && a.channelData.tenant
                 && a.channelData.tenant.id) || a.conversation.tenantId;
    const oid = a.from && a.from.aadObjectId;
    if (!tid || !oid) return null;
    const key = tid + '/' + oid;
    const now = Date.now();
    let hit = identities.get(key);
    if (!hit || hit.until <= now) {
        const r = await pool.query({ name: 'identity', text: IDENTITY_SQL,
                                     values: [appId, tid, oid] });
        hit = { id: r.rows.length === 1 ? r.rows[0] : null,
                until: now + 30000 };
        identities.set(key, hit);
    }
    const id = hit.id;
    if (!id) return null;
    const ckey = id.tenant + '/' + id.user_id;
    let c = callers.get(ckey);
    if (!c || c.until <= now) {
        const r = await pool.query({ name: 'caller', text: CALLER_SQL,
                                     values: [id.tenant, id.user_id] });
        c = { ctx: r.rows.length === 1 ? JSON.parse(r.rows[0].json_build_object)
                                       : null,
              until: now + 30000 };
        callers.set(ckey, c);
    }
    if (!c.ctx) return null;
    return { tenant: id.tenant, user_id: id.user_id, ctx: c.ctx };
}

// a PostgreSQL text[] literal
const pgArray = (list) => '{' + list.map(
    (x) => '"' + x.replace(/["\\]/g, '\\$&') + '"').join(',') + '}';

function teamsLink(appIdOfTenant, kind, id) {
    const web = `${psaUrl}/msp/tickets/${id}`;
    const ctx = JSON.stringify({ subEntityId: `${kind}:${id}` });
    return `https://teams.microsoft.com/l/entity/${appIdOfTenant}/psa`
        + `?webUrl=${encodeURIComponent(web)}&context=${encodeURIComponent(ctx)}`;
}

function ticketCard(viewer, ctx, t) {
    const may = (perm, key) => ctx.perms.includes(perm)
        && ctx.allowed.includes(key);
    const button = (title, action) => ({
        type: 'Action.Execute', title, verb: 'form',
        associatedInputs: 'none', data: { action, ticket: t.id } });
    const actions = [];
    if (!t.closed) {
        if (may('ticket:update', 'assign_ticket')) {
            actions.push(button('Assign', 'assign_ticket'));
        }
        if (may('ticket:update', 'add_note')) {
            actions.push(button('Add note', 'add_note'));
        }
        if (may('ticket:update', 'reply_to_contact')) {
            actions.push(button('Reply', 'reply_to_contact'));
        }
        if (may('timeentry:create', 'log_time')) {
            actions.push({ type: 'Action.Execute', title: 'Log time',
                           verb: 'form', associatedInputs: 'none',
                           data: { action: 'log_time', kind: 'ticket',
                                   ref: t.id } });
        }
    }
    const teams = teamsLink(ctx.app_id, 'ticket', t.id);
    const card = CardFactory.adaptiveCard({
        type: 'AdaptiveCard', version: '1.5',
        refresh: { action: { type: 'Action.Execute', verb: 'refresh',
                             data: { kind: 'ticket', ref: t.id } },
                   userIds: [viewer] },
        body: [
            { type: 'TextBlock', text: t.title, wrap: true, size: 'Medium',
              weight: 'Bolder' },
            { type: 'TextBlock', text: t.subtitle || '', wrap: true,
              size: 'Small', isSubtle: true },
            { type: 'ActionSet', actions: [
                { type: 'Action.OpenUrl', title: 'Open in Teams', url: teams },
                { type: 'Action.OpenUrl', title: 'Open in PSA',
                  url: `${psaUrl}/msp/tickets/${t.id}` }] }],
        actions,
    });
    card.preview = CardFactory.thumbnailCard(t.title, t.subtitle || '',
        undefined, undefined, { tap: { type: 'openUrl', value: teams } });
    return card;
}

class BenchBot extends TeamsActivityHandler {
    async handleTeamsMessagingExtensionQuery(context, query) {
        const id = await identify(context);
        if (!id) {
            return { composeExtension: { type: 'message',
                                         text: 'Not linked to the PSA.' } };
        }
        if (!id.ctx.caps.includes('message_extension')) {
            return { composeExtension: { type: 'message',
                text: 'Searching the PSA is not enabled for you.' } };
        }
        const p = (query.parameters || []).find((x) => x.name !== 'initialRun');
        const text = p && typeof p.value === 'string' ? p.value.trim() : '';
        const o = query.queryOptions || {};
        const count = Math.min(Math.max(Number(o.count) || 10, 1), 25);
        const skip = Math.max(Number(o.skip) || 0, 0);
        const r = await pool.query({
            name: 'search', text: SEARCH_SQL,
            values: [id.tenant, id.user_id, pgArray(id.ctx.perms), text,
                     String(count), String(skip)] });
        const viewer = context.activity.from.id;
        return {
            composeExtension: {
                type: 'result',
                attachmentLayout: 'list',
                attachments: r.rows.map((t) => ticketCard(viewer, id.ctx, t)),
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
        const act = context.activity;
        const hash = crypto.createHash('sha256')
            .update(`add_note\nticket=${d.ticket_id}\ntext=${note}`)
            .digest('hex');
        const r = await pool.query({
            name: 'note', text: NOTE_SQL,
            values: [id.tenant, id.user_id, 'ticket', 'update', 'add_note',
                     '', '', `add_note:${id.user_id}:${act.id || hash}`,
                     'quick_action', act.from.aadObjectId, hash, 'add_note',
                     d.ticket_id, note, 'true', null] });
        const out = r.rows.length === 1
            ? JSON.parse(r.rows[0].json_build_object) : null;
        if (!out || (out.status !== 'ok' && out.status !== 'duplicate')) {
            return err('NotDone', out ? out.status : 'no answer');
        }
        if (out.status === 'ok' && out.result && out.result.event) {
            const ev = out.result.event;
            await redis.command('XADD',
                `alga-psa:event-stream:global:${ev.eventType}`, '*',
                'event', JSON.stringify(ev));
        }
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
process.on('SIGTERM', () => {
    server.close();
    pool.end();
    redis.sock.destroy();
    process.exit(0);
});
