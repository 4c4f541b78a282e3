import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { TestServer } from '../support/server.js';
import { SmtpWire } from './smtp-client.js';
import { inbox, queueSettled, startSmtpServer, noPartialBlobs } from './smtp-fixture.js';

/*
 * CHUNKING (RFC 3030) through Python's smtplib, which has no BDAT of its own: the script sends
 * raw bytes with .send() and reads replies with .getreply(), as a BDAT client does.
 */
const run = promisify(execFile);
const LIMIT = 16 * 1024;
let s: TestServer;
before(async () => {
  s = await startSmtpServer({
    'smtp.max_message_size': String(LIMIT),
    'smtp.tarpit': 'false',
    // Stored bodies are compared with what was sent: no header added by checks or scanners.
    'authenticity.check': 'false',
    'spam.enabled': 'false',
  });
});
after(async () => s.close());

const PY = `
import json, smtplib, sys
port, steps = int(sys.argv[1]), json.loads(sys.stdin.read())
out = []
c = smtplib.SMTP('127.0.0.1', port, local_hostname='py.example.org')
c.ehlo()
out.append(['chunking' in c.esmtp_features])
for kind, arg in steps:
    try:
        if kind == 'send': c.send(arg.encode('latin1'))
        else:
            for _ in range(arg):
                code, text = c.getreply()
                out.append([code, text.decode('latin1')])
    except smtplib.SMTPServerDisconnected:
        out.append([-1, 'closed'])
        break
print(json.dumps(out))
`;

type Step = ['send', string] | ['reply', number];

/** Runs the steps in smtplib; returns whether EHLO offered CHUNKING and the replies as "CODE text". */
async function py(steps: Step[]): Promise<{ chunking: boolean; replies: string[] }> {
  const child = run('python3', ['-c', PY, String(s.port('smtp'))]);
  child.child.stdin!.end(JSON.stringify(steps));
  const { stdout } = await child;
  const [[chunking], ...replies] = JSON.parse(stdout) as [[boolean], ...[number, string][]];
  return { chunking, replies: replies.map(([code, text]) => `${code} ${text}`) };
}

const bdat = (data: string, last = false): ['send', string] => [
  'send',
  `BDAT ${Buffer.byteLength(data, 'latin1')}${last ? ' LAST' : ''}\r\n${data}`,
];
const envelope = (from: string, to = 'bob@example.test'): Step[] => [
  ['send', `MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\n`],
  ['reply', 2],
];

async function queuedFrom(sender: string): Promise<number> {
  return (await s.app.queue.admin.list({ sender })).length;
}

test('a message in chunks, one at a time: no dot-unstuffing, stored byte for byte', async () => {
  // Lines that DATA would treat specially: a lone dot, leading dots, and a bare CR.
  const parts = ['Subject: chunked\r\n\r\n.\r\n..two dots\r\n', 'middle .\r\n.', '\r\nend\r\n'];
  const { chunking, replies } = await py([
    ...envelope('chunks@sender.example'),
    bdat(parts[0]!),
    ['reply', 1],
    bdat(parts[1]!),
    ['reply', 1],
    bdat(parts[2]!, true),
    ['reply', 1],
  ]);
  assert.equal(chunking, true, 'EHLO offers CHUNKING');
  assert.deepEqual(replies.slice(0, 4), [
    '250 2.1.0 Accepted',
    '250 2.1.5 Accepted',
    `250 2.0.0 ${parts[0]!.length} octets received`,
    `250 2.0.0 ${parts[1]!.length} octets received`,
  ]);
  assert.match(replies[4]!, /^250 2\.0\.0 Ok: queued as [0-9A-Z]+$/);
  await queueSettled(s);
  const got = (await inbox(s, 'bob@example.test')).find((m) => m.includes('Subject: chunked'));
  assert.ok(got?.endsWith(parts.join('')), JSON.stringify(got));
});

test('pipelined: chunks, BDAT 0 LAST, a second message and QUIT in one write, answered in order', async () => {
  const { replies } = await py([
    [
      'send',
      'MAIL FROM:<pipe@sender.example>\r\nRCPT TO:<bob@example.test>\r\n' +
        bdat('Subject: pipelined one\r\n')[1] +
        bdat('\r\nbody 1\r\n')[1] +
        'BDAT 0 LAST\r\n' +
        'MAIL FROM:<pipe@sender.example>\r\nRCPT TO:<alice@example.test>\r\n' +
        bdat('Subject: pipelined two\r\n\r\nb2\r\n', true)[1] +
        'QUIT\r\n',
    ],
    ['reply', 9],
  ]);
  assert.deepEqual(
    replies.map((r) => r.slice(0, 9)),
    [
      '250 2.1.0',
      '250 2.1.5',
      '250 2.0.0',
      '250 2.0.0',
      '250 2.0.0',
      '250 2.1.0',
      '250 2.1.5',
      '250 2.0.0',
      '221 2.0.0',
    ],
  );
  assert.match(replies[4]!, /queued as/);
  assert.match(replies[7]!, /queued as/);
  await queueSettled(s);
  assert.ok(
    (await inbox(s, 'bob@example.test')).some((m) => m.endsWith('Subject: pipelined one\r\n\r\nbody 1\r\n')),
  );
  assert.ok(
    (await inbox(s, 'alice@example.test')).some((m) => m.endsWith('Subject: pipelined two\r\n\r\nb2\r\n')),
  );
});

test('BDAT before RCPT is 503 5.5.1 and its bytes are read as data, not as commands', async () => {
  const { replies } = await py([
    ['send', 'BDAT 6 LAST\r\nQUIT\r\n'],
    ['reply', 1],
    ['send', 'NOOP\r\n'],
    ['reply', 1],
  ]);
  assert.deepEqual(replies, ['503 5.5.1 Error: need RCPT command', '250 2.0.0 OK']);
});

test('DATA inside a BDAT transfer is 503 5.5.1; the transfer goes on', async () => {
  const { replies } = await py([
    ...envelope('mixed@sender.example'),
    bdat('Subject: mixed\r\n'),
    ['send', 'DATA\r\n'],
    ['reply', 2],
    bdat('\r\nbody\r\n', true),
    ['reply', 1],
  ]);
  assert.equal(replies[3], '503 5.5.1 Error: DATA cannot follow BDAT in one message');
  assert.match(replies[4]!, /^250 2\.0\.0 Ok: queued as/);
});

test('over the size limit: 552 5.3.4 in one chunk or across many, nothing queued, the session goes on', async () => {
  const big = 'x'.repeat(998) + '\r\n';
  const { replies } = await py([
    ...envelope('big1@sender.example'),
    bdat(`Subject: big\r\n\r\n${big.repeat(20)}`, true),
    ['reply', 1],
    ...envelope('big2@sender.example'),
    ['send', `BDAT 1000\r\n${big}BDAT 1000\r\n${big}`.repeat(10) + 'BDAT 0 LAST\r\n'],
    ['reply', 21],
    ...envelope('after@sender.example'),
    bdat('Subject: small\r\n\r\nok\r\n', true),
    ['reply', 1],
  ]);
  assert.match(replies[2]!, /^552 5\.3\.4 /);
  const chunked = replies.slice(5, 26);
  assert.match(chunked.at(-1)!, /^552 5\.3\.4 /, 'LAST carries the refusal');
  assert.ok(
    chunked.slice(0, 16).every((r) => r === '250 2.0.0 1000 octets received'),
    'chunks under the limit',
  );
  const firstRefusal = chunked.findIndex((r) => !r.startsWith('250'));
  assert.ok(firstRefusal >= 16, `${firstRefusal}`);
  assert.ok(
    chunked.slice(firstRefusal).every((r) => /^552 5\.3\.4 /.test(r)),
    'every chunk after it is refused alike',
  );
  assert.match(replies.at(-1)!, /^250 2\.0\.0 Ok: queued as/);
  assert.equal(await queuedFrom('big1@sender.example'), 0);
  assert.equal(await queuedFrom('big2@sender.example'), 0);
});

test('RSET in the middle of a transfer drops it; a broken BDAT line ends the session', async () => {
  const { replies } = await py([
    ...envelope('reset@sender.example'),
    bdat('Subject: reset\r\n\r\n'),
    ['send', 'RSET\r\nBDAT 4 LAST\r\nabcd'],
    ['reply', 3],
    ['send', 'BDAT ten\r\n'],
    ['reply', 2],
  ]);
  assert.deepEqual(replies.slice(3), [
    '250 2.0.0 Flushed',
    '503 5.5.1 Error: need RCPT command',
    '501 5.5.4 Syntax: BDAT <size> [LAST]; closing, the input is out of step',
    '-1 closed',
  ]);
  assert.equal(await queuedFrom('reset@sender.example'), 0);
});

test('a client that disconnects in the middle of a chunk leaves nothing stored', async () => {
  const c = await SmtpWire.open(s.port('smtp'));
  await c.reply();
  await c.cmd('EHLO cut.example.org');
  await c.cmd('MAIL FROM:<cut@sender.example>');
  await c.cmd('RCPT TO:<bob@example.test>');
  c.write(`BDAT 100000 LAST\r\nSubject: cut\r\n\r\n${'partial\r\n'.repeat(1000)}`);
  await new Promise((r) => setTimeout(r, 200));
  c.close();
  assert.equal(await noPartialBlobs(s), 0, 'no partial blob left behind');
  assert.equal(await queuedFrom('cut@sender.example'), 0);
});

test('smtp.chunking off: not offered, BDAT unknown', async () => {
  s.app.config.set('smtp.chunking', 'false');
  try {
    const { chunking, replies } = await py([
      ['send', 'BDAT 0 LAST\r\n'],
      ['reply', 1],
    ]);
    assert.equal(chunking, false);
    assert.match(replies[0]!, /^500 5\.5\.\d Error: command not recognized/);
  } finally {
    s.app.config.unset('smtp.chunking');
  }
});
