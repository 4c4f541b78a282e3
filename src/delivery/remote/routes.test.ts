import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRoute, RouteTable } from './routes.js';

test('parses qmail smtproutes entries', () => {
  assert.deepEqual(parseRoute('example.com:relay.example.net'), {
    pattern: 'example.com',
    relay: 'relay.example.net',
    port: 25,
    auth: undefined,
  });
  assert.deepEqual(parseRoute('.example.com:relay:2525'), {
    pattern: '.example.com',
    relay: 'relay',
    port: 2525,
    auth: undefined,
  });
  assert.deepEqual(parseRoute(':smarthost.isp.net:587 me secret'), {
    pattern: '',
    relay: 'smarthost.isp.net',
    port: 587,
    auth: { user: 'me', pass: 'secret' },
  });
  assert.deepEqual(parseRoute('local.test:'), {
    pattern: 'local.test',
    relay: undefined,
    port: 25,
    auth: undefined,
  });
  assert.deepEqual(parseRoute('v6.test:[::1]:2525'), {
    pattern: 'v6.test',
    relay: '::1',
    port: 2525,
    auth: undefined,
  });
});

test('refuses malformed entries with the entry named', () => {
  assert.throws(() => parseRoute('no-colon'), /smtp.routes: "no-colon" is not DOMAIN:RELAY/);
  assert.throws(() => parseRoute('a.test:relay:99999'), /port 99999 .* out of range/);
});

test('lookup: exact, then subdomain patterns nearest first, then the default route', () => {
  const t = new RouteTable(['example.com:exact', '.example.com:sub', '.com:tld', ':default', 'mx.test:']);
  assert.equal(t.lookup('example.com')?.relay, 'exact');
  assert.equal(t.lookup('a.example.com')?.relay, 'sub');
  assert.equal(t.lookup('b.a.example.com')?.relay, 'sub');
  assert.equal(t.lookup('other.com')?.relay, 'tld');
  assert.equal(t.lookup('other.org')?.relay, 'default');
  assert.equal(t.lookup('MX.test')?.relay, undefined);
  assert.equal(t.lookup('mx.test')?.pattern, 'mx.test');
  assert.equal(new RouteTable([]).lookup('x.org'), undefined);
});
