/**
 * The Sieve engine's own cost per message, away from delivery's fsyncs: a rule-editor script of
 * N rules, compiled once (as delivery caches it), run over a set of varied messages, against
 * Pigeonhole's sieve-test running the same script on the same messages. sieve-test is one process
 * per message, so its figure is (time with the script − time with an empty script) / messages:
 * what its engine adds over process start-up and message parsing.
 * Not a test: `npm run build && flock /tmp/mailstead-bench.lock node dist/bench/sieve/engine-bench.js [MESSAGES] [PIGEONHOLE_MESSAGES]`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSieve } from '../../src/sieve/interpreter.js';
import { messageContextFromRaw } from '../../src/sieve/message.js';
import { compileRules } from '../../src/sieve/rules.js';
import { compileSieve } from '../../src/sieve/validator.js';
import { benchRules } from './bench-rules.js';

const MESSAGES = Number(process.argv[2] ?? 2000);
const PIGEONHOLE_MESSAGES = Number(process.argv[3] ?? 100);
const SIEVE_TEST = '/usr/bin/sieve-test';

/** Messages of a few shapes: plain, multipart with an attachment, many Received fields, a list post. */
function message(i: number): Buffer {
  const received = Array.from(
    { length: 3 + (i % 8) },
    (_, k) =>
      `Received: from relay${k}.example.net (relay${k}.example.net [192.0.2.${k}]) by mx.example.test; Mon, 2 Jun 2025 10:0${k % 10}:00 +0000`,
  );
  const head = [
    ...received,
    `From: "Sender ${i}" <sender${i % 37}@example.org>`,
    'To: filtered@example.test',
    ...(i % 4 === 0 ? ['Cc: team@example.test, other@example.net'] : []),
    `Subject: ${i % 10 === 0 ? 'The weekly report' : `Status of project-x${i}`} ${i}`,
    `Message-ID: <${i}.bench@example.org>`,
    'Date: Mon, 2 Jun 2025 10:00:00 +0000',
    ...(i % 3 === 0 ? ['List-Id: <dev.lists.example.org>', 'Precedence: list'] : []),
    'MIME-Version: 1.0',
  ];
  const text = 'A line of report text that goes on for a while.\r\n'.repeat(20 + (i % 50));
  if (i % 2)
    return Buffer.from(`${head.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}`);
  return Buffer.from(
    `${head.join('\r\n')}\r\nContent-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\nContent-Type: text/plain\r\n\r\n${text}\r\n--b${i}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${'JVBERi0xLjQK'.repeat(400)}\r\n--b${i}--\r\n`,
  );
}

const envelope = { from: 'sender@example.org', to: 'filtered@example.test' };
const messages = Array.from({ length: MESSAGES }, (_, i) => message(i));

function ours(script: string): { us: number; compileUs: number; filed: number } {
  let t = performance.now();
  const compiled = compileSieve(script, { name: 'bench' });
  const compileUs = (performance.now() - t) * 1000;
  let filed = 0;
  for (const raw of messages.slice(0, 200)) runSieve(compiled, messageContextFromRaw(raw, envelope));
  t = performance.now();
  for (const raw of messages) {
    const r = runSieve(compiled, messageContextFromRaw(raw, envelope));
    if (r.error) throw r.error;
    if (r.actions.some((a) => a.type === 'fileinto')) filed++;
  }
  return { us: ((performance.now() - t) * 1000) / messages.length, compileUs, filed };
}

/** sieve-test refuses to run as root; as root it runs as nobody, who must be able to read the files. */
function sieveTest(work: string, script: string, eml: string): string {
  const args = ['-c', join(work, 'dovecot.conf'), script, eml];
  const r =
    process.getuid?.() === 0
      ? spawnSync(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${work}`, SIEVE_TEST, ...args],
          { encoding: 'utf8' },
        )
      : spawnSync(SIEVE_TEST, args, { encoding: 'utf8', env: { ...process.env, HOME: work } });
  if (r.status !== 0) throw new Error(`sieve-test failed: ${r.stderr}`);
  return r.stdout;
}

function pigeonhole(script: string): { us: number; filed: number } | undefined {
  if (spawnSync('sh', ['-c', `command -v ${SIEVE_TEST}`]).status !== 0) return undefined;
  const work = mkdtempSync(join(tmpdir(), 'sieve-bench-'));
  chmodSync(work, 0o777);
  try {
    writeFileSync(join(work, 'dovecot.conf'), `mail_location = maildir:${work}/mail\n`);
    const files = messages.slice(0, PIGEONHOLE_MESSAGES).map((raw, i) => {
      const p = join(work, `m${i}.eml`);
      writeFileSync(p, raw);
      return p;
    });
    const time = (text: string, name: string) => {
      const p = join(work, name);
      writeFileSync(p, text);
      chmodSync(work, 0o777);
      for (const f of [p, ...files, join(work, 'dovecot.conf')]) chmodSync(f, 0o644);
      sieveTest(work, p, files[0]!); // compiles the script's binary once, as a delivery would find it
      let filed = 0;
      const t = performance.now();
      for (const f of files) if (/store message in folder: Reports/.test(sieveTest(work, p, f))) filed++;
      return { ms: performance.now() - t, filed };
    };
    const empty = time('keep;\n', 'empty.sieve');
    const full = time(script, 'rules.sieve');
    return { us: ((full.ms - empty.ms) * 1000) / files.length, filed: full.filed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

console.log(
  `Sieve engine per message, ${MESSAGES} messages (${(messages.reduce((n, m) => n + m.length, 0) / MESSAGES) | 0} bytes on average), script compiled once:`,
);
for (const n of [10, 50, 200]) {
  const script = compileRules(benchRules(n).map((r, i) => ({ ...r, id: String(i + 1) })));
  const r = ours(script);
  console.log(
    `  ${String(n).padStart(3)} rules: ${r.us.toFixed(1).padStart(7)} µs/message (compile ${(r.compileUs / 1000).toFixed(2)} ms once; ${r.filed} filed)`,
  );
  if (n === 50) {
    const p = pigeonhole(script);
    if (p)
      console.log(
        `             Pigeonhole sieve-test, same script, first ${PIGEONHOLE_MESSAGES} messages: ${p.us.toFixed(0)} µs/message over an empty script (${p.filed} filed)`,
      );
    else console.log('             Pigeonhole: sieve-test not installed');
  }
}
