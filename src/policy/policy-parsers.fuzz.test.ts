import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fuzzRuns } from '../../test/support/fuzz.js';
import { parseAccessMap } from './access-map.js';
import { compilePattern } from './address-pattern.js';
import { dnsblName } from './dnsbl.js';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 1, maxLength: 3 }).map((l) => l.join('.'));
const local = fc.stringMatching(/^[a-z0-9._+-]{1,10}$/);
test('access map: any text either parses or is refused with a message naming the problem', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }), fc.string(), (lines, probe) => {
      let map;
      try {
        map = parseAccessMap(lines, 'Sender address');
      } catch (e) {
        assert.match((e as Error).message, /access map|is not \/regex\/flags|Invalid regular expression/);
        return;
      }
      const v = map.lookup(probe);
      assert.ok(v === undefined || v.ok || /^[45]\d\d [45]\.\d+\.\d+ /.test(v.error.smtpReply()));
    }),
    { numRuns: fuzzRuns() },
  );
});

test('access map: exact address beats domain; a domain entry never matches its subdomains, .domain only those', () => {
  fc.assert(
    fc.property(local, domain, label, fc.boolean(), (user, dom, sub, upper) => {
      const c = (s: string) => (upper ? s.toUpperCase() : s);
      const map = parseAccessMap(
        [`${c(dom)} REJECT dom`, `.${dom} DEFER sub`, `${c(`${user}@${dom}`)} OK`, `${user}@ 550 5.7.1 user`],
        'Sender address',
      );
      const reply = (a: string) => {
        const v = map.lookup(a);
        return v === undefined ? 'none' : v.ok ? 'OK' : v.error.smtpReply();
      };
      assert.equal(reply(`${user}@${dom}`), 'OK');
      assert.equal(reply(`${user}x@${dom}`), '554 5.7.1 dom');
      assert.equal(reply(`x${user}@${sub}.${dom}`), '450 4.7.1 sub');
      assert.equal(reply(`${user}@elsewhere.invalid`), '550 5.7.1 user');
      assert.equal(reply(`x${user}@${dom}x.invalid`), 'none');
    }),
    { numRuns: fuzzRuns() },
  );
});

test('blacklist patterns: no * matches only itself (case aside); * matches any run', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 30 }).filter((s) => !s.includes('*') && s.trim() === s),
      fc.string(),
      (p, other) => {
        const re = compilePattern(p);
        assert.ok(re.test(p) && re.test(p.toUpperCase()) && re.test(p.toLowerCase()));
        if (other.toLowerCase() !== p.toLowerCase()) assert.equal(re.test(other), false, other);
        assert.ok(compilePattern(`*${p}*`).test(`${other}${p}${other}`));
      },
    ),
    { numRuns: fuzzRuns() },
  );
});

test('dnsblName: reversed octets of IPv4, 32 reversed nibbles of any IPv6 form', () => {
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      assert.equal(dnsblName(ip, 'z.test'), `${ip.split('.').reverse().join('.')}.z.test`);
    }),
    { numRuns: fuzzRuns() },
  );
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const name = dnsblName(ip, 'ip6.arpa');
      const hex = new URL(`http://[${ip}]/`).hostname;
      assert.ok(name, ip);
      const mapped = /^\[::ffff:([0-9a-f]+):([0-9a-f]+)\]$/.exec(hex);
      if (mapped) {
        const n = parseInt(mapped[1]!, 16) * 65536 + parseInt(mapped[2]!, 16);
        const v4 = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        assert.equal(name, dnsblName(v4, 'ip6.arpa'), `${ip}: mapped IPv4 is looked up as IPv4`);
        return;
      }
      const labels = name.split('.').slice(0, -2);
      assert.equal(labels.length, 32, `${ip} -> ${name}`);
      assert.ok(labels.every((l) => /^[0-9a-f]$/.test(l)));
      // The nibbles read back give the same address as the URL parser's canonical form.
      const groups = labels
        .reverse()
        .join('')
        .match(/.{4}/g)!
        .map((g) => g.replace(/^0+(?=.)/, ''));
      const back = new URL(`http://[${groups.join(':')}]/`).hostname;
      assert.equal(back, hex, `${ip} -> ${name}`);
    }),
    { numRuns: fuzzRuns() },
  );
});
