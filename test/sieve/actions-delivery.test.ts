import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { message, sendMail, settle, sieveFixture, waitFor, type SieveFixture } from './sieve-fixture.js';

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';
const DAVE = 'dave@example.test';
/** A second recipient: with two, a reject cannot be the reply to DATA (smtp-time-reject.test.ts). */
const ERIN = 'erin@example.test';

/** What the Sieve actions that send mail do at delivery, proven over SMTP and read from the mailboxes. */
describe('Sieve actions that send mail: edited redirects, reject MDNs, ereject DSNs, notify', () => {
  let f: SieveFixture;
  const script = async (address: string, text: string) => {
    await f.server.app.sieve.putScript(f.ids.get(address)!, 'main', text);
    await f.server.app.sieve.activate(f.ids.get(address)!, 'main');
  };
  before(async () => {
    f = await sieveFixture([BOB, CAROL, DAVE, ERIN]);
  });
  after(() => f.close());

  test('a redirect carries the header as editheader left it (RFC 5293 §3)', async () => {
    await script(
      BOB,
      `require ["editheader"];\naddheader "X-Filtered" "by bob";\ndeleteheader "X-Drop";\nredirect "${CAROL}";\nkeep;\n`,
    );
    await sendMail(f, DAVE, [BOB], message({ From: DAVE, To: BOB, Subject: 'edit me', 'X-Drop': 'secret' }));
    const [copy] = await waitFor(f, CAROL, 'INBOX', 1);
    assert.match(copy!.raw, /^X-Filtered: by bob$/m);
    assert.doesNotMatch(copy!.raw, /X-Drop/);
    assert.match(copy!.raw, /^Return-Path: <dave@example.test>$/m, 'the redirect keeps the envelope sender');
    const [kept] = await waitFor(f, BOB, 'INBOX', 1);
    assert.match(kept!.raw, /^X-Filtered: by bob$/m);
    assert.doesNotMatch(kept!.raw, /X-Drop/);
  });

  test('reject after the transaction answers the sender with an MDN; nothing is stored (RFC 5429 §2.2.1)', async () => {
    await script(BOB, 'require "reject";\nreject text:\nNot from you.\nReally not.\n.\n;\n');
    await sendMail(
      f,
      DAVE,
      [BOB, ERIN],
      message({ From: DAVE, To: BOB, Subject: 'Grüße', 'Message-ID': '<rej1@example.test>' }),
    );
    const [mdn] = await waitFor(f, DAVE, 'INBOX', 1);
    assert.match(mdn!.raw, /^Return-Path: <>$/m);
    assert.match(mdn!.raw, /^Content-Type: multipart\/report; report-type=disposition-notification;/m);
    assert.match(mdn!.raw, /^Disposition: automatic-action\/MDN-sent-automatically; deleted$/m);
    assert.match(mdn!.raw, /^Final-Recipient: rfc822; bob@example.test$/m);
    assert.match(mdn!.raw, /^Original-Message-ID: <rej1@example.test>$/m);
    assert.match(mdn!.raw, /^Auto-Submitted: auto-replied \(rejected\)$/m);
    assert.match(mdn!.raw, /Not from you\.\r\nReally not\./);
    assert.match(mdn!.raw, /^Subject: Rejected: =\?UTF-8\?Q\?Gr=C3=BC=C3=9Fe\?=$/m);
    await settle(f);
    assert.equal((await waitFor(f, BOB, 'INBOX', 1)).length, 1, 'only the earlier message is in INBOX');
  });

  test('reject sends no MDN to the null sender', async () => {
    const qid = await sendMail(
      f,
      '',
      [BOB, ERIN],
      message({ From: 'daemon@example.org', To: BOB, Subject: 'bounce' }),
    );
    await settle(f);
    // The delivery log is written as the attempt completes; give it a moment after the queue settled.
    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++, await new Promise((r) => setTimeout(r, 20)))
      line = readFileSync(join(f.server.dir, 'log', 'delivery.jsonl'), 'utf8')
        .split('\n')
        .find((l) => l.includes(qid) && l.includes(BOB));
    assert.match(line ?? '', /rejected by Sieve \(null sender: no MDN\)/);
    assert.equal((await waitFor(f, BOB, 'INBOX', 1)).length, 1);
  });

  test('ereject after the SMTP transaction bounces: a DSN with the reason (RFC 5429 §2.1.2)', async () => {
    await script(BOB, 'require "ereject";\nereject "Spam is not welcome here";\n');
    await sendMail(f, DAVE, [BOB, ERIN], message({ From: DAVE, To: BOB, Subject: 'offer' }));
    const msgs = await waitFor(f, DAVE, 'INBOX', 2);
    const dsn = msgs[1]!.raw;
    assert.match(dsn, /report-type=delivery-status/);
    assert.match(dsn, /^Action: failed$/m);
    assert.match(dsn, /refused by the recipient's mail filter: Spam is not welcome here/);
  });

  test('notify mails the mailto recipients, marked auto-notified (RFC 5436)', async () => {
    await script(
      BOB,
      `require ["enotify", "variables"];\nif header :matches "subject" "*" {\n  notify :message "New: \${1}" :importance "1" "mailto:${CAROL}?cc=${DAVE}";\n}\n`,
    );
    await sendMail(
      f,
      'ext@example.org',
      [BOB],
      message({ From: 'ext@example.org', To: BOB, Subject: 'quarterly' }),
    );
    const notes = await waitFor(f, CAROL, 'INBOX', 2);
    const note = notes[1]!.raw;
    assert.match(note, /^Subject: New: quarterly$/m);
    assert.match(note, /^Auto-Submitted: auto-notified; owner-email="bob@example.test"$/m);
    assert.match(note, /^To: carol@example.test$/m);
    assert.match(note, /^Cc: dave@example.test$/m);
    assert.match(note, /^X-Priority: 1 \(Highest\)$/m);
    assert.match(note, /^Return-Path: <bob@example.test>$/m);
    await waitFor(f, DAVE, 'INBOX', 3);
    assert.equal((await waitFor(f, BOB, 'INBOX', 2)).length, 2, 'the message itself is kept');
  });

  test('spamtest sees the spam stage verdict of the delivered message (RFC 5235)', async () => {
    await script(
      CAROL,
      'require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto", "mailbox"];\nif spamtest :value "ge" :comparator "i;ascii-numeric" "1" { fileinto :create "Scanned"; }\n',
    );
    await sendMail(
      f,
      'ext@example.org',
      [CAROL],
      message({ From: 'ext@example.org', To: CAROL, Subject: 'hi' }),
    );
    const [m] = await waitFor(f, CAROL, 'Scanned', 1);
    assert.match(m!.raw, /^X-Spam-Status: No, score=/m);
  });
});
