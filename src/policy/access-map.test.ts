import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAccessMap } from './access-map.js';
import { compilePattern } from './address-pattern.js';
import { NetworkSet } from './networks.js';
import { RateCounter } from './rate-counter.js';

const reply = (v: ReturnType<ReturnType<typeof parseAccessMap>['lookup']>) =>
  v === undefined ? 'none' : v.ok ? 'OK' : v.error.smtpReply();

test('access map: exact beats domain, subdomain with a dot, user@, regex, custom replies', () => {
  const m = parseAccessMap(
    [
      'example.com REJECT',
      'boss@example.com OK',
      '.spam.example DEFER later',
      'postmaster@ OK',
      '/\\.ru$/i 550 5.7.1 No .ru',
      'x.org 421 4.7.0 busy',
    ],
    'Sender',
  );
  assert.equal(reply(m.lookup('a@example.com')), '554 5.7.1 Sender rejected');
  assert.equal(reply(m.lookup('Boss@Example.com')), 'OK');
  assert.equal(reply(m.lookup('a@mx.spam.example')), '450 4.7.1 later');
  assert.equal(reply(m.lookup('a@spam.example')), 'none');
  assert.equal(reply(m.lookup('postmaster@anything.net')), 'OK');
  assert.equal(reply(m.lookup('ivan@mail.RU')), '550 5.7.1 No .ru');
  assert.equal(reply(m.lookup('a@x.org')), '421 4.7.0 busy');
  assert.throws(() => parseAccessMap(['example.com FROB'], 'Sender'), /not OK, REJECT/);
  assert.throws(() => parseAccessMap(['example.com 550 4.7.1 mismatch'], 'Sender'));
});

test('blacklist patterns match the whole address with * wildcards', () => {
  assert.ok(compilePattern('*@*.ru').test('a@mail.ru'));
  assert.ok(!compilePattern('*@*.ru').test('a@ru.example'));
  assert.ok(compilePattern('spammer@*').test('SPAMMER@x.y'));
  assert.ok(!compilePattern('a.b@c').test('aXb@c'));
});

test('networks: CIDR and single addresses, IPv4-mapped IPv6, empty set', () => {
  const n = new NetworkSet(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32']);
  assert.ok(n.has('10.1.2.3') && n.has('::ffff:10.9.9.9') && n.has('192.0.2.7') && n.has('2001:db8::1'));
  assert.ok(!n.has('192.0.2.8') && !n.has('127.0.0.1'));
  assert.ok(!new NetworkSet([]).has('127.0.0.1'));
});

test('rate counter: sliding window over two fixed windows', () => {
  const r = new RateCounter(60_000);
  for (let i = 0; i < 10; i++) r.hit('ip', 1_000);
  assert.equal(r.peek('ip', 59_000), 10);
  assert.equal(Math.round(r.peek('ip', 90_000)), 5, 'half of the previous window still counts');
  assert.equal(r.peek('ip', 200_000), 0);
  assert.equal(r.peek('other', 1_000), 0);
});
