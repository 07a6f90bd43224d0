// daemon/config/schema-validator.ts is config/schema.json compiled ahead of time (schema-codegen.ts): it
// must be what the generator makes of the schema now (else: `npm run gen:schema`), and it must judge
// configurations as ajv compiling the schema at run time does (the same errors, in the same order).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { generatedPaths, schemaValidatorSource } from '../../daemon/config/schema-codegen.js';
import { validate } from '../../daemon/config/schema-validator.js';

const schemaText = readFileSync(generatedPaths.schema, 'utf8');

describe('config/schema-validator: the generated validator', function () {
  it('is what schema-codegen makes of config/schema.json now (else run `npm run gen:schema`)', function () {
    const committed = readFileSync(generatedPaths.module, 'utf8');
    expect(
      committed === schemaValidatorSource(schemaText),
      'daemon/config/schema-validator.ts is stale',
    ).to.equal(true);
  });

  it('gives the errors ajv compiling the schema at run time gives', function () {
    const runtime = new Ajv({ allErrors: true, verbose: true, strict: false }).compile(
      JSON.parse(schemaText) as object,
    );
    const generated = validate as unknown as typeof runtime;
    const peer = { name: 'a', address: '10.0.0.2', asn: 65001 };
    const documents: unknown[] = [
      { 'router-id': '10.0.0.1', asn: 65000, listen: [], peers: [peer] },
      { 'router-id': '10.0.0.1', asn: 'x', listen: [], peers: [{ ...peer, asn: 99999999999, bogus: 1 }] },
      { 'router-id': 1, asn: 0, peers: 'none', originate: [{ prefix: 7 }] },
      { 'router-id': '10.0.0.1', asn: 65000, peers: [{ ...peer, 'hold-time': 2, families: ['ipv9'] }] },
      { 'router-id': '10.0.0.1', asn: 65000, peers: [], plugins: [{ manifest: 3, peers: [1], jit: 'yes' }] },
      [],
      'text',
    ];
    let failures = 0;
    for (const [i, doc] of documents.entries()) {
      const ok = runtime(doc);
      expect(generated(doc), `document ${i}`).to.equal(ok);
      expect(generated.errors ?? null, `document ${i}`).to.deep.equal(runtime.errors ?? null);
      if (!ok) failures++;
    }
    expect(failures).to.be.greaterThan(3);
  });
});
