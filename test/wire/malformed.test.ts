// Table-driven malformed-input test (cases in malformed-cases.ts): each case must reach exactly the RFC 7606
// / RFC 4271 outcome it names, not merely "no exception".
import { expect } from 'chai';
import { decodeMessage, toNotification } from '../../daemon/wire/index.js';
import { toHex } from './helpers/bytes.js';
import { MALFORMED_CASES } from './malformed-cases.js';

describe('wire: malformed input outcomes', function () {
  for (const c of MALFORMED_CASES) {
    it(`${c.name} -> ${c.expect.action} (${c.rfc})`, function () {
      const r = decodeMessage(c.bytes, c.ctx ?? { asn4: true });
      expect(r.action).to.equal(c.expect.action);
      const e = r.ok ? r.errors.find((x) => x.action === r.action) : r.error;
      if (c.expect.action === 'none') {
        expect(r.ok && r.errors.length, 'no errors').to.equal(0);
      } else {
        expect(e, 'deciding error').to.not.equal(undefined);
        expect(e!.code).to.equal(c.expect.code);
      }
      if (c.expect.notification) {
        const n = toNotification(e!);
        expect([n.code, n.subcode]).to.deep.equal(c.expect.notification);
      }
      if (c.expect.data !== undefined) expect(toHex(e!.data)).to.equal(c.expect.data);
      if (c.expect.attrType !== undefined)
        expect(e!.kind === 'update' && e!.attrType).to.equal(c.expect.attrType);
      if (c.expect.family) expect(e!.kind === 'update' && [e!.afi, e!.safi]).to.deep.equal(c.expect.family);
      const escalatedFrom = e?.kind === 'update' ? e.escalatedFrom : undefined;
      expect(escalatedFrom, 'escalated by RFC 7606 5.2 from').to.equal(c.expect.escalatedFrom);
      if (c.expect.escalatedFrom !== undefined)
        expect(c.quote, 'the deciding RFC sentence').to.be.a('string');
      if (c.expect.attributes) {
        if (!r.ok || r.message.type !== 'update') throw new Error('expected a decoded UPDATE');
        expect(r.message.attributes.map((a) => a.type)).to.deep.equal(c.expect.attributes);
      }
    });
  }
});
