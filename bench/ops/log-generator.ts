// Writes a large delivery log fast: the same records, byte for byte, as writeLog() in
// test/ops/delivery-log-fixture.ts (the same draws, same key order), but built by string
// templates with cached timestamps into one reused buffer instead of an object,
// JSON.stringify and a growing string per line. Usage:
//   node dist/bench/ops/log-generator.js FILE COUNT [DAYS]
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateDraws, type LogShape } from '../../test/ops/delivery-log-fixture.js';

const REPLY = ['250 2.0.0 Ok', '451 4.4.1 try again later', '550 5.1.1 user unknown'];
const RESULT = ['success', 'deferral', 'failure'];

/** Appends the shape's records to `file`; returns the bytes written. */
export function generateLogFast(file: string, shape: LogShape): number {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  let second = NaN;
  let secondText = '';
  const iso = (ms: number) => {
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      secondText = new Date(s * 1000).toISOString().slice(0, 20);
    }
    return `${secondText}${String(ms - s * 1000).padStart(3, '0')}Z`;
  };
  // Lines go straight into one reused buffer: a growing string of millions of pieces kept the
  // garbage collector busy for half the run.
  const buf = Buffer.allocUnsafe(8 << 20);
  let used = 0;
  let written = 0;
  const flush = () => {
    written += writeSync(fd, buf, 0, used);
    used = 0;
  };
  generateDraws(shape, ({ i, time, outgoing, localSender, sender, recipient, webmail, result, size }) => {
    const line =
      `{"time":"${iso(time)}","queueId":"q${i.toString(36)}","messageId":"<m${i}@gen.test>",` +
      `"sender":"${sender}","recipient":"${recipient}","kind":"${outgoing ? 'remote' : 'local'}",` +
      `"result":"${RESULT[result]}","reply":"${REPLY[result]}",${outgoing ? '"relay":"mx.far.example",' : ''}` +
      `"size":${size},"clientIp":"${localSender ? '192.0.2.10' : '198.51.100.7'}",` +
      `"authUser":${localSender ? `"${sender}"` : 'null'},` +
      `"source":"${webmail ? 'webmail' : localSender ? 'submission' : 'smtp'}"}\n`;
    if (used + line.length > buf.length) flush();
    used += buf.write(line, used, 'latin1');
  });
  flush();
  closeSync(fd);
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count, days = '30'] = process.argv.slice(2);
  if (!file || !count) throw new Error('usage: log-generator.js FILE COUNT [DAYS]');
  const end = Date.UTC(2024, 5, 1, 0, 17, 31);
  const t = performance.now();
  const bytes = generateLogFast(file, {
    count: Number(count),
    from: end - Number(days) * 86_400_000,
    to: end,
    localDomains: 200,
    usersPerDomain: 500,
    remoteAddresses: 200_000,
    seed: 1,
    jitterMs: 30_000,
  });
  console.log(
    `${count} lines, ${(bytes / 1024 ** 2).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
}
