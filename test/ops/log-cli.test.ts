import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { Config } from '../../src/config/config.js';
import type { DeliveryRecord } from '../../src/log/delivery-record.js';
import { SMALL_SHAPE, writeLog } from './delivery-log-fixture.js';
import { refShow, refTop } from './log-reference.js';

let dataDir: string;
let records: DeliveryRecord[];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, '--data', dataDir], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mailstead-logcli-'));
  Config.create(dataDir, {}).close();
  records = writeLog(join(dataDir, 'log', 'delivery.jsonl'), SMALL_SHAPE, true);
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

const FROM = new Date(SMALL_SHAPE.from + 3_600_000).toISOString();
const TO = String((SMALL_SHAPE.from + 30 * 3_600_000) / 1000);
const range = { from: SMALL_SHAPE.from + 3_600_000, to: SMALL_SHAPE.from + 30 * 3_600_000 };

test('log top senders --json answers the range, with remote flavour and a sort', async () => {
  const r = await cli(
    'log',
    'top',
    'senders',
    '--from',
    FROM,
    '--to',
    TO,
    '--remote',
    '--sort',
    'failures',
    '--desc',
    '--limit',
    '5',
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const table = JSON.parse(r.out);
  assert.deepEqual(
    table.rows,
    refTop(records, 'senders', range, { flavour: 'remote' }, 'failures', true).slice(0, 5),
  );
});

test('log show --failures --senders prints a table with the sender column', async () => {
  const r = await cli('log', 'show', '--failures', '--senders', '--from', FROM, '--to', TO, '--limit', '0');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^TIME\s+RESULT\s+KIND\s+SENDER\s+RECIPIENT\s+REPLY$/);
  assert.equal(lines.length - 1, refShow(records, range, {}, 'failure').length);
});

test('mixed units and a range before the logs are explained', async () => {
  const mixed = await cli('log', 'top', 'recipients', '--last', '1 hour 5 minutes');
  assert.equal(mixed.code, 1);
  assert.match(mixed.err, /mixes units; give the period in one unit, e\.g\. "65 minutes"/);
  const old = await cli('log', 'stats', 'domains', '--from', '2020-01-01', '--to', TO);
  assert.equal(old.code, 0);
  assert.match(old.err, /^We only have logs dating back to 2024-05-01T/m);
  const bad = await cli('log', 'top', 'aliens');
  assert.match(bad.err, /needs one of senders, recipients, deferrals, failures/);
});
