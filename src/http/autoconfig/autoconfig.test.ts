import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { appleMobileconfig } from './apple-profile.js';
import { mailServices, parseEmail, type ConfigReader } from './mail-services.js';
import { autodiscoverPox, autodiscoverV2, poxRequestAddress } from './outlook.js';
import { registerAutoconfigRoutes } from './routes.js';
import { srvRecords } from './srv-records.js';
import { thunderbirdConfig } from './thunderbird.js';

interface Node {
  name: string;
  attrs: Record<string, string>;
  children: (Node | string)[];
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };
const unescape = (s: string) =>
  s.replace(/&([a-z]+);|&/g, (m, e: string | undefined) => {
    if (!e || !(e in ENTITIES)) throw new Error(`bad entity ${m}`);
    return ENTITIES[e]!;
  });

/** A strict little XML reader: one root, matched tags, quoted attributes, known entities, no stray `<`. */
function parseXml(xml: string): Node {
  let s = xml.replace(/^<\?xml[^?]*\?>\s*/, '').replace(/^<!DOCTYPE[^>[]*>\s*/, '');
  const stack: Node[] = [{ name: '#doc', attrs: {}, children: [] }];
  const tag = /^<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/;
  while (s.length) {
    if (s[0] === '<') {
      const m = tag.exec(s);
      if (!m) throw new Error(`bad markup at ${s.slice(0, 30)}`);
      const [all, close, name, attrText, selfClose] = m;
      s = s.slice(all.length);
      if (close) {
        const open = stack.pop()!;
        if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
        continue;
      }
      const attrs: Record<string, string> = {};
      for (const a of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]!] = unescape(a[2]!);
      const node: Node = { name: name!, attrs, children: [] };
      stack.at(-1)!.children.push(node);
      if (!selfClose) stack.push(node);
    } else {
      const end = s.indexOf('<');
      const text = end < 0 ? s : s.slice(0, end);
      if (text.includes('>')) throw new Error('stray >');
      if (text.trim()) stack.at(-1)!.children.push(unescape(text.trim()));
      s = end < 0 ? '' : s.slice(end);
    }
  }
  const doc = stack.pop()!;
  if (stack.length || doc.name !== '#doc') throw new Error('unclosed element');
  const roots = doc.children.filter((c): c is Node => typeof c !== 'string');
  if (roots.length !== 1 || doc.children.length !== 1) throw new Error('not exactly one root element');
  return roots[0]!;
}

const kids = (n: Node, name: string) =>
  n.children.filter((c): c is Node => typeof c !== 'string' && c.name === name);
const kid = (n: Node, name: string) => {
  const k = kids(n, name);
  assert.equal(k.length, 1, `one <${name}> in <${n.name}>`);
  return k[0]!;
};
const text = (n: Node, name: string) => String(kid(n, name).children[0] ?? '');

function fakeConfig(values: Record<string, unknown>): ConfigReader {
  return { get: <T>(key: string) => values[key] as T };
}

const CONFIG = fakeConfig({
  'server.hostname': 'mail.example.com',
  'listen.imap': [{ host: '0.0.0.0', port: 143 }],
  'listen.imaps': [
    { host: '0.0.0.0', port: 993 },
    { host: '::', port: 993 },
  ],
  'listen.pop3': [],
  'listen.pop3s': [{ host: '0.0.0.0', port: 995 }],
  'listen.submission': [
    { host: '0.0.0.0', port: 587 },
    { host: '10.0.0.1', port: 2587 },
  ],
  'listen.submissions': [],
});
const S = mailServices(CONFIG);

describe('listener settings', () => {
  test('off listeners are omitted, one port on several addresses is one endpoint, implicit TLS first', () => {
    assert.deepEqual(S, {
      hostname: 'mail.example.com',
      imap: [
        { port: 993, tls: 'implicit' },
        { port: 143, tls: 'starttls' },
      ],
      pop3: [{ port: 995, tls: 'implicit' }],
      submission: [
        { port: 587, tls: 'starttls' },
        { port: 2587, tls: 'starttls' },
      ],
    });
  });

  test('addresses and domains are checked', () => {
    assert.deepEqual(parseEmail(' Ann@Example.COM '), { address: 'Ann@example.com', domain: 'example.com' });
    assert.deepEqual(parseEmail("o'brien&co@example.com"), {
      address: "o'brien&co@example.com",
      domain: 'example.com',
    });
    for (const bad of [
      '',
      'ann',
      '@example.com',
      'ann@',
      'ann@exa mple.com',
      'a<b>@example.com',
      'ann@-bad.com',
    ]) {
      assert.equal(parseEmail(bad), undefined, bad);
    }
  });
});

describe('Thunderbird autoconfig', () => {
  test('well-formed, with every endpoint and the required elements', () => {
    const root = parseXml(thunderbirdConfig(S, 'example.com'));
    assert.equal(root.name, 'clientConfig');
    assert.equal(root.attrs.version, '1.1');
    const provider = kid(root, 'emailProvider');
    assert.equal(provider.attrs.id, 'example.com');
    assert.equal(text(provider, 'domain'), 'example.com');
    const summary = (n: Node) =>
      `${n.attrs.type} ${text(n, 'hostname')}:${text(n, 'port')} ${text(n, 'socketType')} ${text(n, 'authentication')} ${text(n, 'username')}`;
    assert.deepEqual(kids(provider, 'incomingServer').map(summary), [
      'imap mail.example.com:993 SSL password-cleartext %EMAILADDRESS%',
      'imap mail.example.com:143 STARTTLS password-cleartext %EMAILADDRESS%',
      'pop3 mail.example.com:995 SSL password-cleartext %EMAILADDRESS%',
    ]);
    assert.deepEqual(kids(provider, 'outgoingServer').map(summary), [
      'smtp mail.example.com:587 STARTTLS password-cleartext %EMAILADDRESS%',
      'smtp mail.example.com:2587 STARTTLS password-cleartext %EMAILADDRESS%',
    ]);
  });

  test('values are escaped', () => {
    const root = parseXml(thunderbirdConfig({ ...S, hostname: 'a&b<c>"d\'' }, 'example.com'));
    assert.equal(text(kids(kid(root, 'emailProvider'), 'incomingServer')[0]!, 'hostname'), 'a&b<c>"d\'');
  });
});

describe('Outlook autodiscover', () => {
  const REQUEST = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>o'brien&amp;co@example.com</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;

  test('v1 reads the address from the POX request and answers with IMAP, POP3 and SMTP', () => {
    const address = poxRequestAddress(REQUEST)!;
    assert.equal(address, "o'brien&co@example.com");
    const root = parseXml(autodiscoverPox(S, address));
    assert.equal(root.name, 'Autodiscover');
    assert.equal(root.attrs.xmlns, 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006');
    const account = kid(kid(root, 'Response'), 'Account');
    assert.equal(text(account, 'AccountType'), 'email');
    assert.equal(text(account, 'Action'), 'settings');
    const protocols = kids(account, 'Protocol').map(
      (p) =>
        `${text(p, 'Type')} ${text(p, 'Server')}:${text(p, 'Port')} SSL=${text(p, 'SSL')} ${text(p, 'Encryption')} ${text(p, 'LoginName')}`,
    );
    assert.deepEqual(protocols, [
      "IMAP mail.example.com:993 SSL=on SSL o'brien&co@example.com",
      "POP3 mail.example.com:995 SSL=on SSL o'brien&co@example.com",
      "SMTP mail.example.com:587 SSL=off TLS o'brien&co@example.com",
    ]);
  });

  test('v2 points AutodiscoverV1 at the POX endpoint and refuses other protocols', () => {
    assert.deepEqual(autodiscoverV2('mail.example.com', 'AutodiscoverV1'), {
      status: 200,
      body: { Protocol: 'AutodiscoverV1', Url: 'https://mail.example.com/autodiscover/autodiscover.xml' },
    });
    assert.equal(autodiscoverV2('mail.example.com', 'ActiveSync').status, 400);
  });
});

describe('Apple configuration profile', () => {
  test('a plist with one managed mail account on the preferred endpoints', () => {
    const xml = appleMobileconfig(S, "o'brien&co@example.com")!;
    assert.match(xml, /<!DOCTYPE plist PUBLIC "-\/\/Apple\/\/DTD PLIST 1.0\/\/EN"/);
    const root = parseXml(xml);
    assert.equal(root.name, 'plist');
    const dict = (n: Node) => {
      const out: Record<string, Node> = {};
      const c = n.children as Node[];
      for (let i = 0; i < c.length; i += 2) out[String(c[i]!.children[0])] = c[i + 1]!;
      return out;
    };
    const profile = dict(kid(root, 'dict'));
    assert.equal(profile.PayloadType!.children[0], 'Configuration');
    const account = dict(kid(profile.PayloadContent!, 'dict'));
    const v = (k: string) => (account[k]!.children.length ? account[k]!.children[0] : account[k]!.name);
    assert.equal(v('PayloadType'), 'com.apple.mail.managed');
    assert.equal(v('EmailAccountType'), 'EmailTypeIMAP');
    assert.equal(v('EmailAddress'), "o'brien&co@example.com");
    assert.equal(v('IncomingMailServerHostName'), 'mail.example.com');
    assert.equal(v('IncomingMailServerPortNumber'), '993');
    assert.equal(v('IncomingMailServerUseSSL'), 'true');
    assert.equal(v('OutgoingMailServerPortNumber'), '587');
    assert.match(
      String(v('PayloadUUID')),
      /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
    );
    assert.equal(
      appleMobileconfig(S, "o'brien&co@example.com"),
      xml,
      'the same profile each time, so it replaces itself',
    );
  });

  test('no profile without an incoming and an outgoing service', () => {
    assert.equal(appleMobileconfig({ ...S, submission: [] }, 'a@example.com'), undefined);
  });
});

describe('SRV records', () => {
  test('RFC 6186 records, implicit TLS preferred, "." for services that are off', () => {
    assert.deepEqual(srvRecords(S, 'example.com'), [
      '_imaps._tcp.example.com. 3600 IN SRV 0 1 993 mail.example.com.',
      '_imap._tcp.example.com. 3600 IN SRV 10 1 143 mail.example.com.',
      '_pop3s._tcp.example.com. 3600 IN SRV 20 1 995 mail.example.com.',
      '_pop3._tcp.example.com. 3600 IN SRV 0 0 0 .',
      '_submissions._tcp.example.com. 3600 IN SRV 0 0 0 .',
      '_submission._tcp.example.com. 3600 IN SRV 10 1 587 mail.example.com.',
      '_submission._tcp.example.com. 3600 IN SRV 10 1 2587 mail.example.com.',
    ]);
  });
});

describe('routes', () => {
  test('every document is served, bad input is refused', async () => {
    const fastify = Fastify();
    registerAutoconfigRoutes(fastify, { config: CONFIG });
    await fastify.ready();
    try {
      let r = await fastify.inject({
        url: '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=ann@example.org',
      });
      assert.equal(r.statusCode, 200);
      assert.match(r.headers['content-type'] as string, /^application\/xml/);
      assert.equal(kid(parseXml(r.body), 'emailProvider').attrs.id, 'example.org');

      r = await fastify.inject({ url: '/mail/config-v1.1.xml', headers: { host: 'autoconfig.example.net' } });
      assert.equal(kid(parseXml(r.body), 'emailProvider').attrs.id, 'example.net');

      r = await fastify.inject({
        url: '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=<script>',
        headers: { host: 'bad host!' },
      });
      assert.equal(r.statusCode, 400);

      r = await fastify.inject({
        method: 'POST',
        url: '/autodiscover/autodiscover.xml',
        headers: { 'content-type': 'text/xml' },
        payload:
          '<Autodiscover><Request><EMailAddress>ann@example.com</EMailAddress></Request></Autodiscover>',
      });
      assert.equal(r.statusCode, 200);
      assert.equal(
        text(kids(kid(kid(parseXml(r.body), 'Response'), 'Account'), 'Protocol')[0]!, 'LoginName'),
        'ann@example.com',
      );
      r = await fastify.inject({
        method: 'POST',
        url: '/Autodiscover/Autodiscover.xml',
        headers: { 'content-type': 'text/xml' },
        payload: '<x/>',
      });
      assert.equal(r.statusCode, 400);

      r = await fastify.inject({
        url: '/autodiscover/autodiscover.json/v1.0/ann@example.com?Protocol=AutodiscoverV1',
      });
      assert.equal(r.json().Url, 'https://mail.example.com/autodiscover/autodiscover.xml');

      r = await fastify.inject({ url: '/autoconfig/mail.mobileconfig?email=ann@example.com' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.headers['content-type'], 'application/x-apple-aspen-config');
      assert.equal(parseXml(r.body).name, 'plist');

      r = await fastify.inject({ url: '/autoconfig/srv-records.txt?domain=example.com' });
      assert.match(r.body, /^_imaps\._tcp\.example\.com\. 3600 IN SRV 0 1 993 mail\.example\.com\.$/m);
    } finally {
      await fastify.close();
    }
  });
});
