// Validates Adaptive Cards with the adaptivecards parser: every argument is
// a file holding one card (or "-" for stdin).  Fails on any parse error or
// warning, any validation failure (validateProperties), a card that is not
// an AdaptiveCard of version 1.5, or a card of 28 KB or more.  Prints one
// line per card, "ok NAME" or "not ok NAME: problems".
'use strict';

const fs = require('fs');
const AC = require('adaptivecards/dist/adaptivecards.js');

let failed = 0;

function check(name, text) {
    const problems = [];
    const size = Buffer.byteLength(text);
    if (size >= 28 * 1024) {
        problems.push(`size ${size} >= 28 KB`);
    }
    let json;
    try {
        json = JSON.parse(text);
    } catch (e) {
        problems.push(`not JSON: ${e.message}`);
    }
    if (json !== undefined) {
        if (json === null || typeof json !== 'object'
            || json.type !== 'AdaptiveCard')
        {
            problems.push('not an AdaptiveCard object');
        } else if (json.version !== '1.5') {
            problems.push(`version ${json.version}, not 1.5`);
        }
    }
    if (json && typeof json === 'object') {
        const card = new AC.AdaptiveCard();
        const ctx = new AC.SerializationContext();
        card.parse(json, ctx);
        // parse-phase events: unknown element or action types, bad enum
        // values, versions, ... (the library falls back and goes on, so
        // these are warnings it would not raise otherwise)
        for (let i = 0; i < ctx.eventCount; i++) {
            const ev = ctx.getEventAt(i);
            problems.push(`parse ${AC.ValidationEvent[ev.event] || ev.event}`
                          + `: ${ev.message}`);
        }
        // validation-phase events: missing required properties, duplicate
        // input ids, actions without their target, ...
        const report = card.validateProperties();
        for (const ev of report.validationEvents || []) {
            problems.push(`validation ${AC.ValidationEvent[ev.event]
                          || ev.event}: ${ev.message}`);
        }
    }
    if (problems.length) {
        failed++;
        console.log(`not ok ${name}: ${problems.join('; ')}`);
    } else {
        console.log(`ok ${name}`);
    }
}

for (const f of process.argv.slice(2)) {
    check(f, fs.readFileSync(f === '-' ? 0 : f, 'utf8'));
}

process.exit(failed ? 1 : 0);
