// Writes daemon/config/schema-validator.ts: config/schema.json compiled by ajv ahead of time (ajv's
// standalone code), so that the daemon validates its configuration without loading ajv's compiler and
// compiling the schema at start (that cost about 9 MiB of resident memory for the daemon's life; the
// generated module needs only two small ajv runtime helpers). config/schema.json stays the one owner of
// the shape: test/config/schema-validator.test.ts regenerates the module and fails when the committed
// one differs. Run `npm run gen:schema` after changing the schema (or upgrading ajv).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

/** The options load.ts used to compile the schema with at run time (all errors, with their schemas). */
const OPTIONS = { allErrors: true, verbose: true, strict: false } as const;

const HEAD = [
  '// Generated from config/schema.json by `npm run gen:schema` (daemon/config/schema-codegen.ts): do not',
  '// edit. ajv standalone validation code for the shape of the configuration (load.ts, pass 2).',
  '// @ts-nocheck',
  '/* eslint-disable */',
];
const REQUIRE =
  "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);";

/** The module's text for the schema `schemaText`. */
export function schemaValidatorSource(schemaText: string): string {
  const ajv = new Ajv({ ...OPTIONS, code: { source: true, esm: true } });
  const code = standalone.default(ajv, ajv.compile(JSON.parse(schemaText) as object));
  // ajv's ESM output still reaches its runtime helpers with require(): given one for this module.
  const body = code.replace(/^"use strict";/, '');
  return [...HEAD, REQUIRE, body, ''].join('\n');
}

/** The package root: the nearest directory above this file with a package.json (source or dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the generated module lives, and the schema it is made from. */
export const generatedPaths = {
  schema: join(repoRoot(), 'config', 'schema.json'),
  module: join(repoRoot(), 'daemon', 'config', 'schema-validator.ts'),
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const source = schemaValidatorSource(readFileSync(generatedPaths.schema, 'utf8'));
  writeFileSync(generatedPaths.module, source);
  console.log(`wrote ${generatedPaths.module} (${source.length} octets)`);
}
