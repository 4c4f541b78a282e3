import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { smtplibSend } from '../scan/scan-fixture.js';
import {
  activeScript,
  imapRead,
  imapWait,
  message,
  sendMail,
  settle,
  sieveFixture,
  type SieveFixture,
} from './sieve-fixture.js';

const [BOB, CAROL, DAVE] = ['bob', 'carol', 'dave'].map((u) => `${u}@example.test`) as [
  string,
  string,
  string,
];

/**
 * RFC 5429 §2.1.1 over a real SMTP client (Python's smtplib) and IMAP reads: a reject or ereject
 * for a single local recipient is the reply to DATA, and nothing is queued, stored or sent back;
 * with two recipients the transaction cannot speak for one, so the delivery-time MDN/DSN remain.
 */
describe('Sieve reject and ereject refused at SMTP time', () => {
  let f: SieveFixture;
  const script = (address: string, text: string) => activeScript(f, address, text);
  const smtplib = (to: string[], subject: string) =>
    smtplibSend(
      f.server.port('smtp'),
      DAVE,
      to,
      message({ From: DAVE, To: to.join(', '), Subject: subject }).replace(/\n/g, '\r\n'),
    );
  before(async () => {
    f = await sieveFixture([BOB, CAROL, DAVE]);
  });
  after(() => f.close());

  test('ereject for the one recipient: 550 5.7.1 with the reason, nothing queued or bounced', async () => {
    await script(
      BOB,
      'require "ereject";\nif header :contains "subject" "offer" { ereject "No offers, thanks"; }\n',
    );
    const r = await smtplib([BOB], 'special offer');
    assert.equal(r.code, 550);
    assert.equal(
      r.text,
      "5.7.1 <bob@example.test>: refused by the recipient's mail filter: No offers, thanks",
    );
    assert.equal((await f.server.app.queue.admin.list({})).length, 0, 'nothing was queued');
    const ok = await smtplib([BOB], 'minutes');
    assert.equal(ok.code, 250, ok.text);
    const inbox = await imapWait(f, BOB, 'INBOX', 1);
    assert.equal(inbox.length, 1);
    assert.match(inbox[0]!, /^Subject: minutes\r$/m);
    await settle(f);
    assert.deepEqual(await imapRead(f, DAVE, 'INBOX'), [], 'no DSN went back');
  });

  test('reject too: the reply carries the reason in ASCII, and no MDN is sent', async () => {
    await script(BOB, 'require "reject";\nreject text:\nNicht von dir – danke.\nReally.\n.\n;\n');
    const r = await smtplib([BOB], 'hello');
    assert.equal(r.code, 550);
    assert.equal(
      r.text,
      "5.7.1 <bob@example.test>: refused by the recipient's mail filter: Nicht von dir ? danke. Really.",
    );
    await settle(f);
    assert.deepEqual(await imapRead(f, DAVE, 'INBOX'), []);
    assert.equal((await imapRead(f, BOB, 'INBOX')).length, 1, 'only the earlier message');
  });

  test('two recipients: accepted; the other gets it, the sender gets the DSN after', async () => {
    await script(BOB, 'require "ereject";\nereject "Go away";\n');
    const r = await smtplib([BOB, CAROL], 'to both');
    assert.equal(r.code, 250, r.text);
    const [copy] = await imapWait(f, CAROL, 'INBOX', 1);
    assert.match(copy!, /^Subject: to both\r$/m);
    const [dsn] = await imapWait(f, DAVE, 'INBOX', 1);
    assert.match(dsn!, /^Action: failed\r$/m);
    assert.match(dsn!, /refused by the recipient's mail filter: Go away/);
    assert.equal((await imapRead(f, BOB, 'INBOX')).length, 1);
  });

  test('the dry run stores nothing: a vacation reply is still sent once at delivery', async () => {
    await script(
      CAROL,
      'require ["ereject", "vacation"];\nif header :contains "subject" "offer" { ereject "no"; stop; }\nvacation :days 1 "Away until Monday.";\n',
    );
    const qid = await sendMail(f, DAVE, [CAROL], message({ From: DAVE, To: CAROL, Subject: 'question' }));
    assert.ok(qid);
    const replies = await imapWait(f, DAVE, 'INBOX', 2);
    assert.match(replies[1]!, /^Subject: Auto: question\r$/m);
    assert.match(replies[1]!, /^Auto-Submitted: auto-replied \(vacation\)\r$/m);
    assert.equal((await imapWait(f, CAROL, 'INBOX', 2)).length, 2);
  });
});
