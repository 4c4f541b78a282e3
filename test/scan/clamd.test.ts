import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ClamdClient } from '../../src/scan/virus/clamd-client.js';
import { CUSTOM_MARKER, EICAR, startClamd, type Clamd } from './clamd-fixture.js';
import { mail, scanFixture, smtplibSend, type ScanFixture } from './scan-fixture.js';

const RCPT = 'rcpt@example.test';

function attachment(name: string, content: Buffer): string {
  const b64 = content.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'See attached.',
    '',
    '--b1',
    `Content-Type: application/octet-stream; name="${name}"`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${name}"`,
    '',
    b64,
    '--b1--',
    '',
  ].join('\r\n');
}

function withBody(subject: string, mimeBody: string): string {
  const [head, ...rest] = mimeBody.split('\r\n\r\n');
  return `From: sender@remote.example\r\nTo: ${RCPT}\r\nSubject: ${subject}\r\n${head}\r\n\r\n${rest.join('\r\n\r\n')}`;
}

/** Zips nested 20 deep (the 42.zip shape): past clamd's MaxRecursion (8). */
function zipBomb(): Buffer {
  const py =
    "import io,sys,zipfile\nd=bytes(1024)\nfor i in range(20):\n  b=io.BytesIO()\n  z=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED)\n  z.writestr('l%d.zip'%i,d)\n  z.close()\n  d=b.getvalue()\nsys.stdout.buffer.write(d)";
  return execFileSync('python3', ['-c', py]);
}

describe('clamd (a real one, with a signature database written by the test)', () => {
  let clamd: Clamd;
  before(async () => {
    clamd = await startClamd();
  });
  after(() => clamd?.stop());

  it('answers PING, VERSION and STATS', async () => {
    const c = new ClamdClient(clamd.address);
    assert.equal(await c.ping(), true);
    const v = await c.version();
    assert.match(v.engine, /^ClamAV \d+\.\d+/);
    const s = await c.stats();
    assert.equal(s.pools, 1);
    assert.ok(s.threads && s.threads.max > 0);
  });

  it('streams in chunks and names what it finds', async () => {
    const c = new ClamdClient(clamd.address);
    const chunks = async function* (parts: string[]) {
      for (const p of parts) yield Buffer.from(p);
    };
    assert.deepEqual(await c.scan(chunks(['hello ', 'world'])), { infected: false });
    assert.deepEqual(
      await c.scan(chunks([EICAR.slice(0, 10), EICAR.slice(10)])),
      { infected: true, name: 'Mailstead.Test.EICAR.UNOFFICIAL' },
      'clamd marks signatures not its own UNOFFICIAL',
    );
    const custom = await c.scan(chunks(['some text ', CUSTOM_MARKER, ' more']));
    assert.deepEqual(custom, { infected: true, name: 'Mailstead.Test.Custom.UNOFFICIAL' });
  });

  describe('through SMTP', () => {
    let f: ScanFixture;
    before(async () => {
      f = await scanFixture([RCPT], {
        'antivirus.clamd': clamd.address,
        'antivirus.quarantine': 'yes',
        'antivirus.max_part_size': '6M',
      });
    });
    after(() => f?.close());
    const send = (msg: string) => smtplibSend(f.server.port('smtp'), 'sender@remote.example', [RCPT], msg);

    it('refuses an EICAR attachment with 554 5.7.1 and the virus name, and quarantines it', async () => {
      const r = await send(withBody('invoice', attachment('eicar.com', Buffer.from(EICAR))));
      assert.equal(r.code, 554);
      assert.match(r.text, /^5\.7\.1 Virus found: Mailstead\.Test\.EICAR/);
      const q = await f.server.app.scan.store.quarantine.list();
      assert.equal(q.length, 1);
      assert.match(q[0]!.virus, /^Mailstead\.Test\.EICAR/);
      assert.equal((await f.server.app.queue.admin.list({})).length, 0);
    });

    it('refuses the custom signature in a plain body', async () => {
      const r = await send(mail('custom', `text ${CUSTOM_MARKER} text\n`));
      assert.equal(r.code, 554);
      assert.match(r.text, /Virus found: Mailstead\.Test\.Custom/);
    });

    it('accepts clean mail', async () => {
      const r = await send(withBody('report', attachment('report.txt', Buffer.from('quarterly figures\n'))));
      assert.equal(r.code, 250, r.text);
    });

    it("refuses an archive bomb through clamd's limits", async () => {
      const r = await send(withBody('zip', attachment('bomb.zip', zipBomb())));
      assert.equal(r.code, 554, r.text);
      assert.match(r.text, /Virus found: Heuristics\.Limits\.Exceeded\.MaxRecursion/);
    });

    it('refuses a part over antivirus.max_part_size with 552 5.3.4', async () => {
      f.server.app.config.set('antivirus.max_part_size', '100K');
      try {
        const r = await send(withBody('big', attachment('big.bin', Buffer.alloc(200 * 1024, 7))));
        assert.equal(r.code, 552);
        assert.match(r.text, /^5\.3\.4 Message part too large/);
      } finally {
        f.server.app.config.set('antivirus.max_part_size', '6M');
      }
    });

    it('fails closed with 451 4.7.1 when clamd is down, or open when antivirus.fail_open is set, counting both', async () => {
      const { app } = f.server;
      app.config.set('antivirus.clamd', '127.0.0.1:1');
      try {
        let r = await send(mail('down', 'hello\n'));
        assert.equal(r.code, 451);
        assert.match(r.text, /^4\.7\.1 Virus scanner unavailable/);
        app.config.set('antivirus.fail_open', 'yes');
        r = await send(mail('down open', 'hello\n'));
        assert.equal(r.code, 250, r.text);
        const metrics = await app.metrics.registry.metrics();
        assert.match(metrics, /mailstead_antivirus_scans_total\{result="unavailable_deferred"\} 1/);
        assert.match(metrics, /mailstead_antivirus_scans_total\{result="unavailable_accepted"\} 1/);
      } finally {
        app.config.set('antivirus.clamd', clamd.address);
        app.config.set('antivirus.fail_open', 'no');
      }
    });
  });
});
