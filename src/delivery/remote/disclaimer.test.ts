import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { fuzzRuns } from '../../../test/support/fuzz.js';
import { addDisclaimer, qpEncode } from './disclaimer.js';

const D = { text: 'Confidential: for the addressee only.', html: '<p class="d">Confidential</p>' };
const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

test('plain text: the text is appended, headers untouched', async () => {
  const raw = crlf('From: a@x.test\nTo: b@y.test\nSubject: hi\n\nHello Bob.\n');
  const out = addDisclaimer(raw, D)!;
  assert.ok(
    out.toString('latin1').startsWith('From: a@x.test\r\nTo: b@y.test\r\nSubject: hi\r\n\r\nHello Bob.\r\n'),
  );
  const m = await simpleParser(out);
  assert.equal(m.text, 'Hello Bob.\n\nConfidential: for the addressee only.\n');
  assert.equal(m.subject, 'hi');
});

test('multipart/alternative: text part and HTML part (before </body>) both get it', async () => {
  const raw = crlf(
    'Content-Type: multipart/alternative; boundary="b1"\nMIME-Version: 1.0\n\npreamble\n--b1\n' +
      'Content-Type: text/plain; charset=utf-8\n\nplain body\n--b1\n' +
      'Content-Type: text/html; charset=utf-8\n\n<html><body><p>html body</p></body></html>\n--b1--\nepilogue\n',
  );
  const out = addDisclaimer(raw, D)!;
  const m = await simpleParser(out);
  assert.equal(m.text, 'plain body\n\nConfidential: for the addressee only.\n');
  assert.match(String(m.html), /<p>html body<\/p><p class="d">Confidential<\/p>\r?\n<\/body><\/html>/);
  // Preamble, delimiters and epilogue are kept byte for byte.
  const s = out.toString('latin1');
  assert.match(s, /\r\n\r\npreamble\r\n--b1\r\n/);
  assert.ok(s.endsWith('\r\n--b1--\r\nepilogue\r\n'));
});

test('multipart/mixed: the body alternative gets it, the attachment is byte-identical', async () => {
  const attachment = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)).toString('base64');
  const raw = crlf(
    'Content-Type: multipart/mixed; boundary=outer\n\n--outer\n' +
      'Content-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain\n\ntext\n' +
      '--inner\nContent-Type: text/html\n\n<b>x</b>\n--inner--\n' +
      `--outer\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\nContent-Transfer-Encoding: base64\n\n${attachment}\n--outer--\n`,
  );
  const m = await simpleParser(addDisclaimer(raw, D)!);
  assert.equal(m.text, 'text\n\nConfidential: for the addressee only.\n');
  assert.match(String(m.html), /<b>x<\/b>\r?\n<p class="d">Confidential<\/p>/);
  assert.equal(m.attachments.length, 1);
  assert.deepEqual(m.attachments[0]!.content, Buffer.from(attachment, 'base64'));
});

test('transfer encodings and charsets: base64 UTF-8, quoted-printable, and ASCII that needs UTF-8', async () => {
  const d = { text: 'Vertraulich – nur für den Empfänger.', html: '' };
  const b64 = crlf(
    `Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${Buffer.from('Grüße\n').toString('base64')}\n`,
  );
  assert.equal((await simpleParser(addDisclaimer(b64, d)!)).text, `Grüße\n\n${d.text}\n`);
  const qp = crlf(
    'Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nGr=FC=DFe\n',
  );
  const outQp = addDisclaimer(qp, { text: 'für Sie', html: '' })!;
  assert.equal((await simpleParser(outQp)).text, 'Grüße\n\nfür Sie\n');
  const ascii = crlf('Subject: x\n\nplain ascii = text\n');
  const outAscii = addDisclaimer(ascii, d)!;
  assert.match(
    outAscii.toString('latin1'),
    /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/,
  );
  assert.equal((await simpleParser(outAscii)).text, `plain ascii = text\n\n${d.text}\n`);
  // A charset that cannot carry the text: the part is left alone.
  assert.equal(addDisclaimer(crlf('Content-Type: text/plain; charset=koi8-r\n\nx\n'), d), undefined);
});

test('signed and encrypted messages are left untouched', () => {
  for (const raw of [
    'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=s\n\n--s\nContent-Type: text/plain\n\nx\n--s\nContent-Type: application/pgp-signature\n\nsig\n--s--\n',
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=e\n\n--e\n\nx\n--e--\n',
    'Content-Type: application/pkcs7-mime; smime-type=signed-data\nContent-Transfer-Encoding: base64\n\nMIIB\n',
    'Content-Type: text/plain\n\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhello\n-----BEGIN PGP SIGNATURE-----\n',
    // A signed message inside a mixed one: its first part is signed, so nothing changes.
    'Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: multipart/signed; boundary=s\n\n--s\n\nx\n--s--\n--m--\n',
  ])
    assert.equal(addDisclaimer(crlf(raw), D), undefined, raw.split('\n')[0]);
});

test('quoted-printable lines stay within 76 characters and decode back', () => {
  const text = `${'é'.repeat(60)} = end \t`;
  const enc = qpEncode(Buffer.from(text, 'utf8').toString('latin1'), '\r\n');
  for (const line of enc.split('\r\n')) assert.ok(line.length <= 76, line);
  const dec = enc
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  assert.equal(Buffer.from(dec, 'latin1').toString('utf8'), text);
});

test('fuzz: any input is either left alone or keeps its header block and gains the disclaimer', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom('\r\n', '\n'), (bytes, eol) => {
      const raw = Buffer.concat([Buffer.from(`Subject: f${eol}`), Buffer.from(bytes)]);
      const out = addDisclaimer(raw, D);
      if (out === undefined) return;
      assert.ok(out.length > raw.length);
      assert.ok(out.toString('latin1').includes('Confidential'));
    }),
    { numRuns: fuzzRuns() },
  );
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), async (body) => {
      const raw = crlf(
        `Subject: p\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n`,
      );
      const out = addDisclaimer(Buffer.concat([raw, Buffer.from(body, 'utf8')]), D)!;
      const text = (await simpleParser(out)).text ?? '';
      assert.ok(text.trimEnd().endsWith(D.text), JSON.stringify(text));
    }),
    { numRuns: Math.min(fuzzRuns(), 200) },
  );
});
