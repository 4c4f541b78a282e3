import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { headerForRule } from './header-access.js';
import { prepareMessage } from './message.js';
import { parseReceived, relayPath } from './relays.js';

test('Received formats of common MTAs, as SpamAssassin reads them', () => {
  const cases: [string, Record<string, string> | string | undefined][] = [
    [
      'from mx.example.net (mx.example.net [192.0.2.7])\n\tby in.example.org (Postfix) with ESMTP id 1A2B3C\n\tfor <u@example.org>; Thu, 22 Aug 2002 08:17:21 -0400 (EDT)',
      { ip: '192.0.2.7', rdns: 'mx.example.net', helo: 'mx.example.net', by: 'in.example.org', id: '1A2B3C' },
    ],
    [
      'from helo.example ([198.51.100.4]) by relay.example (8.9.3/8.9.3) with ESMTP id NAA04623',
      { ip: '198.51.100.4', rdns: '', helo: 'helo.example' },
    ],
    [
      'from host.example ([10.3.1.13] helo=list.example) by out.example with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 17hsof-00042r-00',
      { ip: '10.3.1.13', rdns: 'host.example', helo: 'list.example' },
    ],
    [
      'from unknown (HELO mail.x.example) (203.0.113.9) by mx.y.example with SMTP; 5 Aug 2002 12:00:00 -0000',
      { ip: '203.0.113.9', rdns: '', helo: 'mail.x.example' },
    ],
    [
      'from a.example (b.example [203.0.113.1]) (envelope-from <bounce@a.example>) by c.example (8.12.6/8.12.6) with ESMTP id x',
      { envfrom: 'bounce@a.example', rdns: 'b.example' },
    ],
    ['from pop.example [192.0.2.1] by localhost with POP3 (fetchmail-5.9.0)', 'fetch'],
    ['(qmail 1234 invoked by uid 0); 5 Aug 2002 12:00:00 -0000', 'skip'],
    ['(from nobody@localhost) by ks1.example (8.9.3/8.9.3) id WAA15535', 'skip'],
    [
      'from mail pickup service by mail1.example with Microsoft SMTPSVC; Thu, 29 Aug 2002 18:53:43 -0400',
      'skip',
    ],
    [
      'from ks1.example (co-location.example.kr [211.36.253.28] (may be forged)) by dogma.example (8.11.6/8.11.6) with ESMTP id g7RDRwZ09790',
      { ip: '211.36.253.28', rdns: 'co-location.example.kr', helo: 'ks1.example' },
    ],
    ['from nowhere by somewhere with weird', undefined],
  ];
  for (const [header, want] of cases) {
    const got = parseReceived(header);
    if (typeof want !== 'object') assert.equal(got, want, header);
    else {
      assert.equal(typeof got, 'object', header);
      for (const [k, v] of Object.entries(want)) assert.equal((got as never)[k], v, `${k} of ${header}`);
    }
  }
});

const msg = (received: string[], extra = ''): ReturnType<typeof prepareMessage> =>
  prepareMessage(
    Buffer.from(`${received.map((r) => `Received: ${r}\n`).join('')}${extra}From: a@example.com\n\nhi\n`),
  );

test('trust: private hops are trusted up to the first public one; RDNS_NONE reads the relay string', () => {
  const m = msg([
    'from localhost (localhost [127.0.0.1]) by mx.example (Postfix) with ESMTP id A1',
    'from spammer ([203.0.113.5]) by mx.example (8.9.3/8.9.3) with ESMTP id B2',
    'from inner (inner [10.0.0.2]) by spammer (Postfix) with ESMTP id C3',
  ]);
  const p = relayPath(m);
  assert.deepEqual(
    p.trusted.map((r) => r.ip),
    ['127.0.0.1'],
  );
  assert.deepEqual(
    p.untrusted.map((r) => r.ip),
    ['203.0.113.5', '10.0.0.2'],
  );
  assert.match(headerForRule(m, { name: 'X-Spam-Relays-Untrusted', mods: [] })!, /^[^\]]+ rdns= /);
  // with trusted_networks configured, only hops inside them (and 127/8) are trusted
  const n = msg([
    'from a (a [203.0.113.5]) by mx (Postfix) with ESMTP id A',
    'from b (b [198.51.100.1]) by a (x) id B',
  ]);
  assert.deepEqual(
    relayPath(n, ['203.0.113.0/24']).trusted.map((r) => r.ip),
    ['203.0.113.5'],
  );
});

test('EnvelopeFrom: Return-Path counts only above every Received header', () => {
  const hop = 'from a (a [203.0.113.5]) by mx (Postfix) with ESMTP id A';
  const top = prepareMessage(
    Buffer.from(`Return-Path: <r@example.net>\nReceived: ${hop}\nFrom: a@example.com\n\nx\n`),
  );
  assert.equal(headerForRule(top, { name: 'EnvelopeFrom', mods: [] }), 'r@example.net\n');
  const below = prepareMessage(
    Buffer.from(`Received: ${hop}\nReturn-Path: <r@example.net>\nFrom: a@example.com\n\nx\n`),
  );
  assert.equal(headerForRule(below, { name: 'EnvelopeFrom', mods: [] }), undefined);
});

test('Received parsing never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (h) => {
      const r = parseReceived('from ' + h);
      assert.ok(r === undefined || r === 'skip' || r === 'fetch' || typeof r.ip === 'string');
    }),
    { numRuns: fuzzRuns() },
  );
});
