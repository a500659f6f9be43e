import { readFileSync } from 'node:fs';

/** cger's version, from package.json: recorded with every output for traceability. */
export const version: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
