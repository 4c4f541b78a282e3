import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startClamd, type Clamd } from '../scan/clamd-fixture.js';
import {
  activeScript,
  imapWait,
  message,
  sendMail,
  sieveFixture,
  type SieveFixture,
} from './sieve-fixture.js';

const BOB = 'bob@example.test';
const DAVE = 'dave@example.test';

/** Files by virustest's answer (RFC 5235 §3.2): "0" not scanned, "1" scanned and clean. */
const SCRIPT = `require ["virustest", "fileinto", "mailbox"];
if virustest "0" { fileinto :create "Unscanned"; }
elsif virustest "1" { fileinto :create "Clean"; }
`;

/**
 * virustest over real SMTP, a real clamd and IMAP reads: mail clamd scanned tests "1", mail that
 * antivirus.fail_open let through while clamd was down tests "0", and so does mail on a server
 * without a virus scanner.
 */
describe('Sieve virustest against the virus stage (RFC 5235)', () => {
  let clamd: Clamd;
  let f: SieveFixture;
  before(async () => {
    clamd = await startClamd();
    f = await sieveFixture([BOB, DAVE], { 'antivirus.clamd': clamd.address, 'antivirus.fail_open': 'yes' });
    await activeScript(f, BOB, SCRIPT);
  });
  after(async () => {
    await f?.close();
    await clamd?.stop();
  });

  test('scanned clean: "1"; a mark naming another queue id is not ours and changes nothing', async () => {
    await sendMail(f, DAVE, [BOB], message({ From: DAVE, To: BOB, Subject: 'scanned' }));
    await sendMail(
      f,
      DAVE,
      [BOB],
      message({
        From: DAVE,
        To: BOB,
        Subject: 'forged mark',
        'X-Mailstead-Virus-Scan': 'not scanned, clamd unavailable; queue-id=0123456789abcdef',
      }),
    );
    const clean = await imapWait(f, BOB, 'Clean', 2);
    assert.match(clean[0]!, /^Subject: scanned$/m);
    assert.doesNotMatch(clean[0]!, /X-Mailstead-Virus-Scan/);
    assert.match(clean[1]!, /^Subject: forged mark$/m);
  });

  test('clamd down with antivirus.fail_open: accepted marked unscanned, and "0"', async () => {
    f.server.app.config.set('antivirus.clamd', '127.0.0.1:1');
    try {
      const qid = await sendMail(f, DAVE, [BOB], message({ From: DAVE, To: BOB, Subject: 'unscanned' }));
      const [m] = await imapWait(f, BOB, 'Unscanned', 1);
      assert.match(m!, /^Subject: unscanned$/m);
      assert.match(
        m!,
        new RegExp(`^X-Mailstead-Virus-Scan: not scanned, clamd unavailable; queue-id=${qid}\\r$`, 'm'),
      );
    } finally {
      f.server.app.config.set('antivirus.clamd', clamd.address);
    }
  });

  test('no virus scanner configured: "0"', async () => {
    f.server.app.config.set('antivirus.clamd', '');
    try {
      await sendMail(f, DAVE, [BOB], message({ From: DAVE, To: BOB, Subject: 'no scanner' }));
      const msgs = await imapWait(f, BOB, 'Unscanned', 2);
      assert.match(msgs[1]!, /^Subject: no scanner$/m);
      assert.equal((await imapWait(f, BOB, 'Clean', 2)).length, 2, 'nothing more was filed as clean');
    } finally {
      f.server.app.config.set('antivirus.clamd', clamd.address);
    }
  });
});
