// Every BGP message of the BGP4MP MRT files in ../shared/data decodes without a session reset (except the
// few that really are malformed, listed below with the reason) and re-encodes to the same bytes.
// Data: RIPE NCC RIS and University of Oregon RouteViews, via ripe-bgpdump, caida-libbgpstream and ryu.
import { expect } from 'chai';
import { basename } from 'node:path';
import {
  decodeMessage,
  encodeMessage,
  prefixCount,
  toNotification,
  type DecodeError,
} from '../../daemon/wire/index.js';
import { requireTools, sharedPath } from '../helpers/env.js';
import { updateFiles } from './helpers/data-files.js';
import { bgpMessages, readCompressed } from './helpers/mrt-walk.js';

interface ExpectedReset {
  record: number;
  code: DecodeError['code'];
  notification: [number, number];
  why: string;
}

/** Messages that really are malformed, per file. */
const EXPECTED_RESETS: Readonly<Record<string, ExpectedReset[]>> = {
  'updates.nlri_mask_trailing_bits.gz': [
    {
      record: 1,
      code: 'ERR_BGP_NLRI_INVALID',
      notification: [3, 10],
      why:
        'the NLRI field is 0d 0b 0d 0b: a /13 (2 octets) then a "prefix" of length 11 with no octets left, which ' +
        'overruns the field (RFC 4271 4.3; RFC 7606 5.3 requires a session reset, Invalid Network Field)',
    },
  ],
  'updates.long_withdrawal.gz': [
    {
      record: 1,
      code: 'ERR_BGP_HEADER_LENGTH',
      notification: [1, 2],
      why: 'a 36894-octet UPDATE: above 4096 it is a Bad Message Length unless RFC 8654 Extended Message was negotiated (checked below)',
    },
  ],
};

/** Lower bounds on messages per file, so a broken MRT walk cannot pass vacuously. */
const MIN_MESSAGES: Readonly<Record<string, number>> = {
  'updates.example.bz2': 45000,
  'updates.20160811.1600.gz': 17000,
  'updates.20070211.0141.gz': 23000,
  'updates.et-header.small.gz': 14,
};

describe('wire: real BGP4MP messages', function () {
  const files = updateFiles();

  it('finds the update files', function () {
    sharedPath(this, 'data', 'ripe-bgpdump', 'test_data');
    expect(files.length).to.be.at.least(14);
  });

  for (const file of files) {
    const name = basename(file);
    it(`decodes and re-encodes every message of ${name}`, function () {
      sharedPath(this, 'data');
      if (file.endsWith('.bz2')) requireTools(this, 'bzip2');
      const resets: { record: number; error: DecodeError }[] = [];
      let count = 0;
      let mismatches = 0;
      let soft = 0;
      for (const m of bgpMessages(readCompressed(file))) {
        count++;
        const r = decodeMessage(m.message, m.ctx);
        if (!r.ok) {
          resets.push({ record: m.record, error: r.error });
          continue;
        }
        if (r.action !== 'none') soft++;
        const again = encodeMessage(r.message, { extendedMessage: true });
        if (Buffer.compare(Buffer.from(again), Buffer.from(m.message)) !== 0) mismatches++;
      }
      expect(count, 'messages').to.be.at.least(MIN_MESSAGES[name] ?? 1);
      expect(mismatches, 're-encoded messages differing from the input').to.equal(0);
      expect(soft, 'messages with an RFC 7606 soft error').to.equal(0);
      const expected = EXPECTED_RESETS[name] ?? [];
      expect(
        resets.map((x) => ({
          record: x.record,
          code: x.error.code,
          notification: [toNotification(x.error).code, toNotification(x.error).subcode],
        })),
      ).to.deep.equal(
        expected.map((e) => ({ record: e.record, code: e.code, notification: e.notification })),
      );
    });
  }

  it('decodes the 36894-octet UPDATE when Extended Message is negotiated', function () {
    const file = sharedPath(this, 'data', 'ripe-bgpdump', 'test_data', 'updates.long_withdrawal.gz');
    const [m] = [...bgpMessages(readCompressed(file))];
    const r = decodeMessage(m!.message, { ...m!.ctx, extendedMessage: true });
    expect(r.ok && r.action).to.equal('none');
    if (!r.ok || r.message.type !== 'update') throw new Error('not an UPDATE');
    expect(prefixCount(r.message)).to.equal(4096);
    expect(
      Buffer.from(encodeMessage(r.message, { extendedMessage: true })).equals(Buffer.from(m!.message)),
    ).to.equal(true);
  });
});
