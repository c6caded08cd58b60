// bench/mint-tokens.js: writes N distinct Bot Framework tokens, one a line,
// signed with the stand-in's key, so a benchmark can send a fresh token on
// every request (each one costs the module a full RSA verification).
//
//   node bench/mint-tokens.js KEYS_DIR APP_ID SERVICE_URL N > tokens.txt
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const [dir, aud, serviceurl, count] = process.argv.slice(2);
if (!dir || !aud || !serviceurl) {
    console.error('usage: mint-tokens.js KEYS_DIR APP_ID SERVICE_URL [N]');
    process.exit(2);
}

const key = fs.readFileSync(path.join(dir, 'botfw.key.pem'));
const kid = fs.readFileSync(path.join(dir, 'botfw.kid'), 'utf8').trim();
const b64 = (b) => Buffer.from(b).toString('base64url');
const header = b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
const now = Math.floor(Date.now() / 1000);
const out = [];

for (let i = 0; i < Number(count || 1); i++) {
    const payload = b64(JSON.stringify({
        iss: 'https://api.botframework.com', aud, serviceurl,
        nbf: now - 60, exp: now + 3600, iat: now - 60,
        jti: crypto.randomBytes(8).toString('hex'),
    }));
    const sig = crypto.sign('sha256', Buffer.from(header + '.' + payload),
                            key);
    out.push(header + '.' + payload + '.' + b64(sig));
}

process.stdout.write(out.join('\n') + '\n');
