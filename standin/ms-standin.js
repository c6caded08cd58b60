#!/usr/bin/env node
/*
 * ms-standin.js — local stand-in for the parts of Microsoft's cloud that
 * ngx_teams_module and teams-worker talk to: Bot Framework OpenID/JWKS,
 * Entra OpenID/JWKS and token endpoint, Microsoft Graph (activity feed) and
 * the Bot Connector REST API.  It records every call, can inject faults and
 * can enforce Graph's activity-feed rate limits.
 *
 * Node 20, built-in modules only.  Binds to loopback only.
 *
 *   node standin/ms-standin.js --port N --keys-dir DIR [--host 127.0.0.1]
 *
 * See standin/README.md for the endpoint list.
 */
'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const { URL, URLSearchParams } = require('url');

const MAX_BODY = 10 * 1024 * 1024;
const MAX_RECORDS = 100000;
const TOKEN_LIFETIME = 3599;
const BOTFW_TENANT = 'd6d49420-f39b-4df7-a1dc-d59a935871db';
const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GUID_RE =
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENDORSEMENTS = ['msteams', 'emulator', 'webchat', 'directline',
    'skype', 'slack', 'telegram', 'email', 'sms', 'facebook', 'kik',
    'groupme', 'line', 'cortana', 'skypeforbusiness', 'omnichannel'];
const DEFAULT_LIMITS = {
    enabled: false,
    per_app_tenant_rps: 5,
    per_app_rps: 50,
    bulk_per_app_tenant_rps: 2,
    bulk_per_app_rps: 20,
};

/* ---------------------------------------------------------------- CLI */

function die(msg, code) {
    process.stderr.write('ms-standin: ' + msg + '\n');
    process.exit(code === undefined ? 2 : code);
}

function parseArgs(argv) {
    const opt = { host: '127.0.0.1', port: null, keysDir: null };
    for (let i = 0; i < argv.length; i++) {
        let a = argv[i], v = null;
        const eq = a.indexOf('=');
        if (a.startsWith('--') && eq > 0) {
            v = a.slice(eq + 1);
            a = a.slice(0, eq);
        }
        const next = () => {
            if (v !== null) return v;
            if (i + 1 >= argv.length) die('missing value for ' + a);
            return argv[++i];
        };
        switch (a) {
        case '--port': opt.port = next(); break;
        case '--keys-dir': opt.keysDir = next(); break;
        case '--host': opt.host = next(); break;
        case '-h': case '--help':
            process.stdout.write('usage: node ms-standin.js --port N '
                + '--keys-dir DIR [--host 127.0.0.1]\n');
            process.exit(0);
            break;
        default: die('unknown argument: ' + a);
        }
    }
    if (!opt.port || !/^\d+$/.test(String(opt.port))
        || +opt.port < 1 || +opt.port > 65535) {
        die('--port N (1..65535) is required');
    }
    opt.port = +opt.port;
    if (!opt.keysDir) die('--keys-dir DIR is required');
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(opt.host)) {
        die('--host must be a 127.x.x.x loopback address');
    }
    opt.keysDir = opt.keysDir.replace(/\/+$/, '') || '/';
    return opt;
}

/* --------------------------------------------------------------- keys */

function writeAtomic(file, data, mode) {
    const tmp = file + '.tmp' + process.pid;
    fs.writeFileSync(tmp, data, { mode: mode || 0o644 });
    fs.renameSync(tmp, file);
}

function loadOrCreateKey(dir, name, extra) {
    const keyFile = dir + '/' + name + '.key.pem';
    const kidFile = dir + '/' + name + '.kid';
    let pem = null;

    if (fs.existsSync(keyFile)) {
        pem = fs.readFileSync(keyFile, 'utf8');
    } else {
        const kp = crypto.generateKeyPairSync('rsa',
            { modulusLength: 2048, publicExponent: 0x10001 });
        pem = kp.privateKey.export({ type: 'pkcs8', format: 'pem' });
        writeAtomic(keyFile, pem, 0o600);
    }
    const priv = crypto.createPrivateKey(pem);
    const pub = crypto.createPublicKey(priv);

    let kid = fs.existsSync(kidFile)
        ? fs.readFileSync(kidFile, 'utf8').trim() : '';
    if (!kid) {
        kid = crypto.randomBytes(15).toString('base64url');
        writeAtomic(kidFile, kid);
    }

    const pubPem = pub.export({ type: 'spki', format: 'pem' });
    const pubFile = dir + '/' + name + '.pub.pem';
    if (!fs.existsSync(pubFile)
        || fs.readFileSync(pubFile, 'utf8') !== pubPem) {
        writeAtomic(pubFile, pubPem);
    }

    const j = pub.export({ format: 'jwk' });
    const jwk = Object.assign({ kty: 'RSA', use: 'sig', kid: kid,
        x5t: kid, n: j.n, e: j.e }, extra || {});
    const jwks = { keys: [jwk] };
    writeAtomic(dir + '/' + name + '.jwks.json',
        JSON.stringify(jwks, null, 2) + '\n');

    return { name: name, kid: kid, priv: priv, pub: pub, jwks: jwks };
}

/* ---------------------------------------------------------------- JWT */

function b64u(x) {
    return Buffer.from(x).toString('base64url');
}

function signJwt(key, header, payload) {
    const h = Object.assign({ alg: 'RS256', typ: 'JWT', kid: key.kid },
        header || {});
    const hash = { RS384: 'sha384', RS512: 'sha512' }[h.alg] || 'sha256';
    const input = b64u(JSON.stringify(h)) + '.' + b64u(JSON.stringify(payload));
    const sig = crypto.sign(hash, Buffer.from(input), key.priv);
    return input + '.' + sig.toString('base64url');
}

function decodeJwtPayload(tok) {
    try {
        const p = String(tok).split('.');
        if (p.length < 2) return null;
        const o = JSON.parse(Buffer.from(p[1], 'base64url').toString('utf8'));
        return o && typeof o === 'object' ? o : null;
    } catch (e) {
        return null;
    }
}

function bearer(req) {
    const m = /^Bearer +(\S+)\s*$/.exec(req.headers.authorization || '');
    return m ? m[1] : null;
}

/* ------------------------------------------------------------- helpers */

function guidFrom(s) {
    const h = crypto.createHash('sha256').update(s).digest('hex');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-4' + h.slice(13, 16)
        + '-8' + h.slice(17, 20) + '-' + h.slice(20, 32);
}

function tenantId(t) {
    const l = String(t).toLowerCase();
    if (GUID_RE.test(l)) return l;
    if (l === 'botframework.com') return BOTFW_TENANT;
    if (l === 'consumers') return CONSUMERS_TENANT;
    return guidFrom('tenant:' + l);
}

function nowIso() {
    return new Date().toISOString();
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

function parseBody(req, buf) {
    if (!buf.length) return null;
    const s = buf.toString('utf8');
    const ct = String(req.headers['content-type'] || '').toLowerCase();
    const t = s.trimStart();
    if (ct.includes('json') || t.startsWith('{') || t.startsWith('[')) {
        try {
            return JSON.parse(s);
        } catch (e) {
            /* keep it as a string */
        }
    }
    return s;
}

function statusCode(st) {
    return {
        400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden',
        404: 'NotFound', 409: 'Conflict', 412: 'PreconditionFailed',
        413: 'RequestEntityTooLarge', 429: 'TooManyRequests',
        500: 'InternalServerError', 502: 'BadGateway',
        503: 'ServiceUnavailable', 504: 'GatewayTimeout',
    }[st] || 'Error';
}

function graphError(st, code, message) {
    return { error: { code: code || statusCode(st), message: message
        || 'Stand-in error ' + st, innerError: { date: nowIso(),
        'request-id': crypto.randomUUID(),
        'client-request-id': crypto.randomUUID() } } };
}

function aadError(error, code, desc) {
    const trace = crypto.randomUUID(), corr = crypto.randomUUID();
    const ts = new Date().toISOString().replace('T', ' ').replace(/\..*/, 'Z');
    return {
        error: error,
        error_description: 'AADSTS' + code + ': ' + desc + '\r\nTrace ID: '
            + trace + '\r\nCorrelation ID: ' + corr + '\r\nTimestamp: ' + ts,
        error_codes: [code],
        timestamp: ts,
        trace_id: trace,
        correlation_id: corr,
    };
}

/* -------------------------------------------------------------- state */

const state = {
    records: [],
    seq: 0,
    faults: [],
    faultSeq: 0,
    limits: Object.assign({}, DEFAULT_LIMITS),
    credentials: new Map(),     /* client_id -> {client_secret, roles} */
    stats: null,
};

function freshStats() {
    return {
        requests_by_kind: { graph: 0, connector: 0, token: 0, openid: 0 },
        limit_violations: 0,
        limit_violations_by_key: {},
        faults_applied: 0,
        max_observed: {},       /* key -> max rps seen (all attempts) */
        observed: new Map(),    /* key -> timestamps (ms), all attempts */
        accepted: new Map(),    /* key -> timestamps (ms), let through */
    };
}
state.stats = freshStats();

function record(kind, req, path, query, body) {
    const e = {
        seq: ++state.seq,
        time: nowIso(),
        kind: kind,
        method: req.method,
        path: path,
        query: query,
        headers: Object.assign({}, req.headers),
        body: body,
        status: null,
        duration_ms: null,
    };
    state.records.push(e);
    if (state.records.length > MAX_RECORDS) {
        state.records.splice(0, state.records.length - MAX_RECORDS);
    }
    state.stats.requests_by_kind[kind]++;
    return e;
}

/* ------------------------------------------------------------- faults */

function addFault(spec) {
    if (!spec || typeof spec !== 'object') throw new Error('JSON object');
    if (typeof spec.match !== 'string') throw new Error('match: regex string');
    const re = new RegExp(spec.match);
    const st = spec.status === undefined || spec.status === null
        ? null : +spec.status;
    if (st !== null && !(st >= 100 && st <= 599)) throw new Error('status');
    if (st === null && !spec.delay_ms) {
        throw new Error('need status and/or delay_ms');
    }
    const count = spec.count === undefined || spec.count === null
        ? null : +spec.count;
    if (count !== null && !(count >= 1)) throw new Error('count >= 1');
    const f = {
        id: ++state.faultSeq,
        match: spec.match,
        method: spec.method ? String(spec.method).toUpperCase() : null,
        kind: spec.kind || null,
        status: st,
        retry_after: spec.retry_after === undefined ? null : spec.retry_after,
        delay_ms: spec.delay_ms ? +spec.delay_ms : 0,
        count: count,
        remaining: count,
        hits: 0,
        body: spec.body === undefined ? undefined : spec.body,
        headers: spec.headers && typeof spec.headers === 'object'
            ? spec.headers : null,
        re: re,
    };
    state.faults.push(f);
    return f;
}

function faultView(f) {
    const o = Object.assign({}, f);
    delete o.re;
    return o;
}

/* Returns true when the fault answered the request. */
async function applyFaults(kind, req, path, ctx) {
    for (const f of state.faults) {
        if (f.remaining === 0) continue;
        if (f.method && f.method !== req.method) continue;
        if (f.kind && f.kind !== kind) continue;
        if (!f.re.test(path)) continue;
        if (f.remaining !== null) f.remaining--;
        f.hits++;
        state.stats.faults_applied++;
        if (f.delay_ms > 0) await sleep(f.delay_ms);
        if (f.status === null) return false;
        const hdr = Object.assign({}, f.headers || {});
        if (f.retry_after !== null) hdr['Retry-After'] = String(f.retry_after);
        let body = f.body;
        if (body === undefined) {
            if (f.status === 204 || f.status === 202 || f.status === 201) {
                body = null;
            } else if (kind === 'token') {
                body = aadError(f.status === 400 ? 'invalid_request'
                    : f.status === 401 ? 'invalid_client'
                    : 'temporarily_unavailable', 90002 + f.status,
                    'Injected fault ' + f.status + '.');
            } else {
                body = graphError(f.status, null,
                    'Injected fault ' + f.status + '.');
            }
        }
        ctx.send(f.status, body, hdr);
        return true;
    }
    return false;
}

/* -------------------------------------------------------- rate limits */

function windowCount(map, key, now, add) {
    let a = map.get(key);
    if (!a) {
        a = [];
        map.set(key, a);
    }
    let i = 0;
    while (i < a.length && a[i] <= now - 1000) i++;
    if (i) a.splice(0, i);
    if (add) a.push(now);
    return a.length;
}

/* Returns true when the request is over a limit (and must get 429). */
function rateCheck(bulk, app, tid) {
    const s = state.stats, L = state.limits, now = Date.now();
    const cls = bulk ? 'bulk' : 'single';
    const kAT = cls + '|app_tenant|' + app + '|' + tid;
    const kA = cls + '|app|' + app;

    for (const k of [kAT, kA]) {
        const n = windowCount(s.observed, k, now, true);
        if (!(s.max_observed[k] >= n)) s.max_observed[k] = n;
    }
    if (!L.enabled) return false;

    const limAT = bulk ? L.bulk_per_app_tenant_rps : L.per_app_tenant_rps;
    const limA = bulk ? L.bulk_per_app_rps : L.per_app_rps;
    const over = windowCount(s.accepted, kAT, now, false) >= limAT ? kAT
        : windowCount(s.accepted, kA, now, false) >= limA ? kA : null;
    if (over) {
        s.limit_violations++;
        s.limit_violations_by_key[over] =
            (s.limit_violations_by_key[over] || 0) + 1;
        return true;
    }
    windowCount(s.accepted, kAT, now, true);
    windowCount(s.accepted, kA, now, true);
    return false;
}

function statsView() {
    const s = state.stats;
    const max = (cls, scope) => {
        let m = 0;
        for (const k of Object.keys(s.max_observed)) {
            if ((!cls || k.startsWith(cls + '|'))
                && k.split('|')[1] === scope) {
                m = Math.max(m, s.max_observed[k]);
            }
        }
        return m;
    };
    return {
        requests_by_kind: s.requests_by_kind,
        requests_total: Object.values(s.requests_by_kind)
            .reduce((a, b) => a + b, 0),
        limit_violations: s.limit_violations,
        limit_violations_by_key: s.limit_violations_by_key,
        max_observed_rps_per_app_tenant: max('single', 'app_tenant'),
        max_observed_rps_per_app: max('single', 'app'),
        max_observed_bulk_rps_per_app_tenant: max('bulk', 'app_tenant'),
        max_observed_bulk_rps_per_app: max('bulk', 'app'),
        max_observed_by_key: s.max_observed,
        faults_applied: s.faults_applied,
        recorded: state.records.length,
        limits: state.limits,
    };
}

/* ------------------------------------------------------------- server */

function main() {
    const opt = parseArgs(process.argv.slice(2));
    const B = 'http://' + opt.host + ':' + opt.port;

    try {
        fs.mkdirSync(opt.keysDir, { recursive: true, mode: 0o755 });
    } catch (e) {
        die('cannot create ' + opt.keysDir + ': ' + e.message, 1);
    }
    const keys = {
        botframework: loadOrCreateKey(opt.keysDir, 'botfw',
            { endorsements: ENDORSEMENTS }),
        entra: loadOrCreateKey(opt.keysDir, 'entra',
            { issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }),
    };

    /* ---------------------------------------------------- openid */

    function botfwConfig() {
        return {
            issuer: 'https://api.botframework.com',
            authorization_endpoint: 'https://invalid.botframework.com',
            jwks_uri: B + '/botframework/v1/.well-known/keys',
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
        };
    }

    function entraConfig(tenant) {
        const l = tenant.toLowerCase();
        const tid = l === 'common' || l === 'organizations'
            ? '{tenantid}' : tenantId(tenant);
        return {
            token_endpoint: B + '/' + tenant + '/oauth2/v2.0/token',
            token_endpoint_auth_methods_supported: ['client_secret_post',
                'private_key_jwt', 'client_secret_basic'],
            jwks_uri: B + '/common/discovery/v2.0/keys',
            response_modes_supported: ['query', 'fragment', 'form_post'],
            subject_types_supported: ['pairwise'],
            id_token_signing_alg_values_supported: ['RS256'],
            response_types_supported: ['code', 'id_token', 'code id_token',
                'id_token token'],
            scopes_supported: ['openid', 'profile', 'email',
                'offline_access'],
            issuer: 'https://login.microsoftonline.com/' + tid + '/v2.0',
            request_uri_parameter_supported: false,
            userinfo_endpoint: B + '/oidc/userinfo',
            authorization_endpoint: B + '/' + tenant
                + '/oauth2/v2.0/authorize',
            http_logout_supported: true,
            frontchannel_logout_supported: true,
            claims_supported: ['sub', 'iss', 'cloud_instance_name',
                'cloud_instance_host_name', 'cloud_graph_host_name',
                'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr',
                'nonce', 'preferred_username', 'name', 'tid', 'ver',
                'at_hash', 'c_hash', 'email'],
            tenant_region_scope: 'NA',
            cloud_instance_name: 'microsoftonline.com',
            cloud_graph_host_name: 'graph.windows.net',
            msgraph_host: 'graph.microsoft.com',
        };
    }

    function openid(req, path, ctx) {
        let m;
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            return ctx.send(405, { error: 'method_not_allowed' },
                { Allow: 'GET, HEAD' });
        }
        if (/^(\/botframework)?\/v1\/\.well-known\/openidconfiguration$/
            .test(path)) {
            return ctx.send(200, botfwConfig());
        }
        if (/^(\/botframework)?\/v1\/\.well-known\/keys$/.test(path)) {
            return ctx.send(200, keys.botframework.jwks);
        }
        if ((m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/
            .exec(path))) {
            return ctx.send(200, entraConfig(decodeURIComponent(m[1])));
        }
        return ctx.send(200, keys.entra.jwks);
    }

    /* ---------------------------------------------------- token */

    function resourceOf(scope) {
        const first = scope.split(/\s+/).filter(Boolean)
            .find((s) => s.endsWith('/.default'))
            || scope.split(/\s+/).filter(Boolean)
                .find((s) => !['openid', 'profile', 'offline_access',
                    'email'].includes(s));
        if (!first) return null;
        if (first.endsWith('/.default')) return first.slice(0, -9);
        const m = /^(.*)\/[^/]+$/.exec(first);
        if (m && m[1].includes('://')) return m[1];
        return 'https://graph.microsoft.com';
    }

    function token(req, path, tenant, buf, ctx) {
        if (req.method !== 'POST') {
            return ctx.send(405, aadError('invalid_request', 900561,
                'The endpoint only accepts POST, OPTIONS requests. '
                + 'Received a ' + req.method + ' request.'));
        }
        const f = new URLSearchParams(buf.toString('utf8'));
        const need = (names) => {
            for (const n of names) {
                if (!f.get(n)) {
                    ctx.send(400, aadError('invalid_request', 900144,
                        'The request body must contain the following '
                        + "parameter: '" + n + "'."));
                    return false;
                }
            }
            return true;
        };
        if (!need(['grant_type'])) return;
        const gt = f.get('grant_type');
        const obo = gt === 'urn:ietf:params:oauth:grant-type:jwt-bearer';
        if (gt !== 'client_credentials' && !obo) {
            return ctx.send(400, aadError('unsupported_grant_type', 70003,
                'The app requested an unsupported grant type \''
                + gt + '\'.'));
        }
        if (!need(obo ? ['client_id', 'client_secret', 'assertion', 'scope',
            'requested_token_use'] : ['client_id', 'client_secret', 'scope'])) {
            return;
        }
        const clientId = f.get('client_id');
        const cred = state.credentials.get(clientId);
        if (cred && cred.client_secret !== f.get('client_secret')) {
            return ctx.send(401, aadError('invalid_client', 7000215,
                'Invalid client secret provided. Ensure the secret being '
                + "sent in the request is the client secret value, not the "
                + "client secret ID, for a secret added to app '"
                + clientId + "'."));
        }
        const scope = f.get('scope');
        if (!obo && !/^\S+\/\.default$/.test(scope.trim())) {
            return ctx.send(400, aadError('invalid_scope', 1002012,
                "The provided value for scope " + scope + ' is not valid. '
                + 'Client credential flows must have a scope value with '
                + '/.default suffixed to the resource identifier '
                + '(application ID URI).'));
        }
        let user = null;
        if (obo) {
            user = decodeJwtPayload(f.get('assertion'));
            if (!user) {
                return ctx.send(400, aadError('invalid_grant', 50027,
                    'JWT token is invalid or malformed.'));
            }
        }
        const aud = resourceOf(scope);
        const tid = user && user.tid ? user.tid : tenantId(tenant);
        const iss = 'https://sts.windows.net/' + tid + '/';
        const iat = Math.floor(Date.now() / 1000);
        const isGraph = /graph\.microsoft\.com/.test(aud);
        const roles = cred && Array.isArray(cred.roles) ? cred.roles
            : isGraph ? ['TeamsActivity.Send',
                'TeamsAppInstallation.ReadWriteForUser.All'] : [];
        const claims = {
            aud: aud, iss: iss, iat: iat, nbf: iat,
            exp: iat + TOKEN_LIFETIME,
            aio: crypto.randomBytes(24).toString('base64url'),
            appid: clientId, appidacr: '1', idp: iss,
            idtyp: obo ? 'user' : 'app',
            oid: obo && user.oid ? user.oid
                : guidFrom('sp:' + tid + ':' + clientId),
            rh: '0.' + crypto.randomBytes(16).toString('base64url') + '.',
            sub: obo && user.sub ? user.sub
                : guidFrom('sp:' + tid + ':' + clientId),
            tid: tid,
            uti: crypto.randomBytes(16).toString('base64url'),
            ver: '1.0',
        };
        if (obo) {
            claims.scp = scope.split(/\s+/).map((s) => s.replace(/^.*\//, ''))
                .filter((s) => !['openid', 'profile', 'offline_access',
                    'email'].includes(s)).join(' ');
            for (const c of ['name', 'upn', 'preferred_username',
                'given_name', 'family_name']) {
                if (user[c]) claims[c] = user[c];
            }
        } else {
            claims.roles = roles;
        }
        const tok = signJwt(keys.entra, { x5t: keys.entra.kid }, claims);
        const out = { token_type: 'Bearer', expires_in: TOKEN_LIFETIME,
            ext_expires_in: TOKEN_LIFETIME, access_token: tok };
        if (obo) out.scope = claims.scp;
        return ctx.send(200, out);
    }

    /* ---------------------------------------------------- graph */

    function graph(req, path, body, ctx) {
        const tok = bearer(req);
        if (!tok) {
            return ctx.send(401, graphError(401, 'InvalidAuthenticationToken',
                'Access token is empty.'));
        }
        const p = path.replace(/\/+$/, '');
        const single = /\/sendActivityNotification$/.test(p);
        const bulk = /\/teamwork\/sendActivityNotificationToRecipients$/
            .test(p);
        if (req.method === 'POST' && (single || bulk)) {
            const claims = decodeJwtPayload(tok) || {};
            const app = String(claims.appid || claims.azp || 'unknown');
            const tid = String(claims.tid || 'unknown');
            if (rateCheck(bulk, app, tid)) {
                return ctx.send(429, graphError(429, 'TooManyRequests',
                    'Too many requests. Please retry after 1 second.'),
                    { 'Retry-After': '1' });
            }
            if (bulk) {
                if (claims.exp
                    && claims.exp - Date.now() / 1000 < 45 * 60) {
                    return ctx.send(412, graphError(412,
                        'PreconditionFailed', 'The access token must be '
                        + 'valid for at least 45 minutes.'));
                }
                if (body && Array.isArray(body.recipients)
                    && body.recipients.length > 100) {
                    return ctx.send(400, graphError(400, 'BadRequest',
                        'Recipients count exceeds the limit of 100.'));
                }
                return ctx.send(202, null);
            }
            return ctx.send(204, null);
        }
        if (/\/teamwork\/installedApps$/.test(p)) {
            if (req.method === 'POST') return ctx.send(201, null);
            if (req.method === 'GET') return ctx.send(200, { value: [] });
        }
        if (req.method === 'DELETE') return ctx.send(204, null);
        return ctx.send(200, {});
    }

    /* ------------------------------------------------ connector */

    const CONN_RE = /^(\/.*?)?\/v3\/conversations(\/.*)?$/;

    function connector(req, path, rest, ctx) {
        if (!bearer(req)) {
            return ctx.send(401, { message:
                'Authorization has been denied for this request.' });
        }
        const r = (rest || '').replace(/\/+$/, '');
        const newId = () => crypto.randomBytes(12).toString('hex');
        if (r === '') {
            if (req.method === 'POST') {
                const out = { id: 'a:' + crypto.randomBytes(24)
                    .toString('base64url') };
                const b = ctx.entry.body;
                if (b && typeof b === 'object' && b.activity) {
                    out.activityId = '1' + Date.now();
                }
                return ctx.send(200, out);
            }
            return ctx.send(200, { conversations: [] });
        }
        if (/^\/[^/]+\/activities(\/[^/]+)?$/.test(r)) {
            if (req.method === 'POST' || req.method === 'PUT') {
                return ctx.send(200, { id: '1' + Date.now() + newId()
                    .slice(0, 4) });
            }
            if (req.method === 'DELETE') return ctx.send(200, null);
        }
        if (/^\/[^/]+\/members$/.test(r) && req.method === 'GET') {
            return ctx.send(200, []);
        }
        if (/^\/[^/]+\/pagedmembers$/.test(r) && req.method === 'GET') {
            return ctx.send(200, { members: [] });
        }
        return ctx.send(200, {});
    }

    /* -------------------------------------------------- control */

    function control(req, path, query, buf, ctx) {
        const M = req.method;
        let json;
        const parseJson = () => {
            try {
                json = buf.length ? JSON.parse(buf.toString('utf8')) : {};
                return true;
            } catch (e) {
                ctx.send(400, { error: 'invalid_json', message: e.message });
                return false;
            }
        };

        if (path === '/_health' && M === 'GET') {
            return ctx.send(200, { ok: true });
        }
        if (path === '/_recorded') {
            if (M === 'DELETE') {
                state.records = [];
                return ctx.send(204, null);
            }
            if (M === 'GET') {
                const kinds = query.kind ? query.kind.split(',') : null;
                const since = query.since ? +query.since : 0;
                const meth = query.method ? query.method.toUpperCase() : null;
                return ctx.send(200, state.records.filter((e) =>
                    (!kinds || kinds.includes(e.kind))
                    && (!query.path_prefix
                        || e.path.startsWith(query.path_prefix))
                    && (!meth || e.method === meth)
                    && e.seq > since));
            }
        }
        if (path === '/_faults') {
            if (M === 'GET') return ctx.send(200, state.faults.map(faultView));
            if (M === 'DELETE') {
                state.faults = [];
                return ctx.send(204, null);
            }
            if (M === 'POST') {
                if (!parseJson()) return;
                try {
                    const list = Array.isArray(json) ? json : [json];
                    const added = list.map(addFault).map(faultView);
                    return ctx.send(201, Array.isArray(json) ? added
                        : added[0]);
                } catch (e) {
                    return ctx.send(400, { error: 'invalid_fault',
                        message: e.message });
                }
            }
        }
        let m;
        if ((m = /^\/_faults\/(\d+)$/.exec(path)) && M === 'DELETE') {
            const n = state.faults.length;
            state.faults = state.faults.filter((f) => f.id !== +m[1]);
            return ctx.send(n === state.faults.length ? 404 : 204,
                n === state.faults.length ? { error: 'not_found' } : null);
        }
        if (path === '/_limits') {
            if (M === 'GET') return ctx.send(200, state.limits);
            if (M === 'DELETE') {
                state.limits = Object.assign({}, DEFAULT_LIMITS);
                state.stats = freshStats();
                return ctx.send(204, null);
            }
            if (M === 'POST' || M === 'PUT') {
                if (!parseJson()) return;
                if (!json || typeof json !== 'object') {
                    return ctx.send(400, { error: 'invalid_limits' });
                }
                for (const k of Object.keys(DEFAULT_LIMITS)) {
                    if (json[k] === undefined) continue;
                    if (k === 'enabled') {
                        state.limits.enabled = !!json[k];
                    } else if (+json[k] > 0) {
                        state.limits[k] = +json[k];
                    } else {
                        return ctx.send(400, { error: 'invalid_limits',
                            message: k + ' must be > 0' });
                    }
                }
                return ctx.send(200, state.limits);
            }
        }
        if (path === '/_stats') {
            if (M === 'GET') return ctx.send(200, statsView());
            if (M === 'DELETE') {
                state.stats = freshStats();
                return ctx.send(204, null);
            }
        }
        if (path === '/_credentials') {
            if (M === 'GET') {
                return ctx.send(200, [...state.credentials.keys()]);
            }
            if (M === 'DELETE') {
                state.credentials.clear();
                return ctx.send(204, null);
            }
            if (M === 'POST') {
                if (!parseJson()) return;
                if (!json || typeof json.client_id !== 'string'
                    || typeof json.client_secret !== 'string') {
                    return ctx.send(400, { error: 'invalid_request',
                        message: 'client_id and client_secret required' });
                }
                state.credentials.set(json.client_id, {
                    client_secret: json.client_secret,
                    roles: Array.isArray(json.roles) ? json.roles : null,
                });
                return ctx.send(204, null);
            }
        }
        if (path === '/_mint' && M === 'POST') {
            if (!parseJson()) return;
            const key = keys[json && json.key];
            if (!key || !json.payload || typeof json.payload !== 'object') {
                return ctx.send(400, { error: 'invalid_request', message:
                    'need key ("botframework"|"entra") and payload object' });
            }
            const hdr = json.header && typeof json.header === 'object'
                ? json.header : {};
            return ctx.send(200, { token: signJwt(key, hdr, json.payload),
                kid: key.kid });
        }
        if (path === '/_reset' && M === 'POST') {
            state.records = [];
            state.faults = [];
            state.limits = Object.assign({}, DEFAULT_LIMITS);
            state.stats = freshStats();
            state.credentials.clear();
            return ctx.send(204, null);
        }
        return ctx.send(404, { error: 'not_found', path: path });
    }

    /* -------------------------------------------------- dispatch */

    function classify(path) {
        let m;
        if (/^(\/botframework)?\/v1\/\.well-known\/(openidconfiguration|keys)$/
            .test(path)
            || /^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/
                .test(path)
            || /^\/[^/]+\/discovery\/v2\.0\/keys$/.test(path)) {
            return { kind: 'openid' };
        }
        if ((m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path))) {
            return { kind: 'token', tenant: decodeURIComponent(m[1]) };
        }
        if (/^\/(v1\.0|beta)(\/|$)/.test(path)) return { kind: 'graph' };
        if ((m = CONN_RE.exec(path))) {
            return { kind: 'connector', rest: m[2] };
        }
        return null;
    }

    async function handle(req, res, buf, tooBig) {
        const started = Date.now();
        const u = new URL(req.url, B);
        const path = u.pathname;
        const query = Object.fromEntries(u.searchParams);
        const ctx = { entry: null };

        ctx.send = (status, body, headers) => {
            if (ctx.entry && ctx.entry.status === null) {
                ctx.entry.status = status;
                ctx.entry.duration_ms = Date.now() - started;
            }
            if (res.headersSent || res.destroyed) return;
            const h = Object.assign({}, headers || {});
            let data = '';
            if (body !== null && body !== undefined && status !== 204
                && status !== 304) {
                data = typeof body === 'string' ? body : JSON.stringify(body);
                if (!h['Content-Type']) {
                    h['Content-Type'] = 'application/json; charset=utf-8';
                }
            }
            h['Content-Length'] = Buffer.byteLength(data);
            if (ctx.kind === 'graph') {
                h['request-id'] = crypto.randomUUID();
                h['client-request-id'] = req.headers['client-request-id']
                    || h['request-id'];
            } else if (ctx.kind === 'connector') {
                h['X-Correlating-OperationId'] = crypto.randomBytes(8)
                    .toString('hex');
            }
            res.writeHead(status, h);
            res.end(req.method === 'HEAD' ? undefined : data);
        };

        if (tooBig) return ctx.send(413, { error: 'request_too_large' });

        if (path.startsWith('/_')) {
            return control(req, path, query, buf, ctx);
        }
        const c = classify(path);
        if (!c) return ctx.send(404, { error: 'not_found', path: path });
        ctx.kind = c.kind;
        ctx.entry = record(c.kind, req, path, query, parseBody(req, buf));

        if (await applyFaults(c.kind, req, path, ctx)) return;
        if (c.kind === 'openid') return openid(req, path, ctx);
        if (c.kind === 'token') return token(req, path, c.tenant, buf, ctx);
        if (c.kind === 'graph') return graph(req, path, ctx.entry.body, ctx);
        return connector(req, path, c.rest, ctx);
    }

    const server = http.createServer((req, res) => {
        const chunks = [];
        let size = 0, tooBig = false;
        req.on('data', (c) => {
            size += c.length;
            if (size > MAX_BODY) tooBig = true;
            else chunks.push(c);
        });
        req.on('end', () => {
            handle(req, res, Buffer.concat(chunks), tooBig).catch((e) => {
                process.stderr.write('ms-standin: ' + (e && e.stack) + '\n');
                if (!res.headersSent) {
                    res.writeHead(500, { 'Content-Type': 'application/json' });
                }
                res.end(JSON.stringify({ error: 'standin_bug' }));
            });
        });
    });
    server.keepAliveTimeout = 30000;

    server.on('error', (e) => die('listen ' + opt.host + ':' + opt.port
        + ': ' + e.message, 1));
    server.listen(opt.port, opt.host, () => {
        process.stdout.write('ms-standin listening on ' + B + '\n');
    });

    const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
        setTimeout(() => process.exit(0), 500).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main();
