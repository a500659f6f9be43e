#!/usr/bin/env node
// `npm run readme:demo [-- demo options]`: runs `cger demo` in this checkout and writes what it
// prints into README.md between the demo-output markers, so the README shows real output.
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = `${root}README.md`;
const START = '<!-- demo-output:start -->';
const END = '<!-- demo-output:end -->';

const args = ['demo', '--quiet', ...process.argv.slice(2)];
const printed = execFileSync(process.execPath, [`${root}bin/cger.js`, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const text = readFileSync(readme, 'utf8');
const from = text.indexOf(START);
const to = text.indexOf(END);
if (from < 0 || to < from) throw new Error(`${readme}: no ${START} ... ${END} block`);
const block = `${START}\n\`\`\`\n$ npx cger ${args.join(' ')}\n${printed.trim()}\n\`\`\`\n`;
const tmp = `${readme}.${process.pid}.tmp`;
writeFileSync(tmp, text.slice(0, from) + block + text.slice(to));
renameSync(tmp, readme);
console.log(`README.md: demo output block updated (${printed.trim().split('\n').length} lines)`);
