// Validates Adaptive Cards with the adaptivecards parser: every argument is
// a file holding one card (or "-" for stdin).  Fails on any parse error or
// warning, or a card of 28 KB or more.  Prints one line per card.
'use strict';

const fs = require('fs');
const AC = require('adaptivecards/dist/adaptivecards.js');

let failed = 0;

function check(name, text) {
    const problems = [];
    if (Buffer.byteLength(text) >= 28 * 1024) {
        problems.push(`size ${Buffer.byteLength(text)} >= 28 KB`);
    }
    let json;
    try {
        json = JSON.parse(text);
    } catch (e) {
        problems.push(`not JSON: ${e.message}`);
    }
    if (json) {
        const card = new AC.AdaptiveCard();
        const ctx = new AC.SerializationContext();
        card.parse(json, ctx);
        for (let i = 0; i < ctx.eventCount; i++) {
            const ev = ctx.getEventAt(i);
            problems.push(`${ev.phase === AC.ValidationPhase.Parse ? 'parse' : 'validation'}`
                          + ` ${ev.event}: ${ev.message}`);
        }
        const report = card.validateProperties();
        for (let i = 0; i < (report.failures || []).length; i++) {
            for (const e of report.failures[i].errors) {
                problems.push(`validate ${e.phase}: ${e.message}`);
            }
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
