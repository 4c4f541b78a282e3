import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveryRecord } from '../../src/log/delivery-record.js';
import { DeliveryLogQuery } from '../../src/ops/log/delivery-log-query.js';
import { listLogFiles } from '../../src/ops/log/log-files.js';
import type { LogFilters, StatsSubject, TopSubject } from '../../src/ops/log/query-types.js';
import { SMALL_SHAPE, writeLog } from './delivery-log-fixture.js';
import { refShow, refStats, refTop } from './log-reference.js';

const H = 3_600_000;
const T0 = SMALL_SHAPE.from;

const RANGES = {
  'whole hours': { from: T0 + 2 * H, to: T0 + 9 * H },
  'inside one hour': { from: T0 + 5 * H + 60_000, to: T0 + 5 * H + 1_800_000 },
  'across an hour boundary': { from: T0 + 5 * H + 1_800_000, to: T0 + 6 * H + 600_000 },
  'days with ragged edges': { from: T0 + 3 * H + 1234, to: T0 + 3 * 24 * H + 2 * H + 5678 },
  'everything and before': { from: T0 - 30 * 24 * H, to: T0 + 10 * 24 * H },
  'ending at the first record': { from: T0 - H, to: T0 + 1 },
};

const FILTERS: Record<string, LogFilters> = {
  none: {},
  sender: { sender: 'USER0@dom0.test' },
  recipient: { recipient: 'user0@dom0.test' },
  user: { user: 'user1@dom0.test' },
  domain: { domain: 'dom1.test' },
  webmail: { webmailOnly: true },
  local: { flavour: 'local' },
  remote: { flavour: 'remote' },
  combined: { domain: 'dom0.test', flavour: 'remote', webmailOnly: true },
  'sender and recipient': { sender: 'ext0@far0.example', recipient: 'user0@dom0.test' },
  'unknown name': { sender: 'nobody@nowhere.test' },
};

describe('DeliveryLogQuery on a generated log', () => {
  let dir: string;
  let log: string;
  let records: DeliveryRecord[];
  let q: DeliveryLogQuery;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mailstead-logq-'));
    log = join(dir, 'log', 'delivery.jsonl');
    records = writeLog(log, SMALL_SHAPE, true);
    q = new DeliveryLogQuery(log);
  });
  after(() => {
    q.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('indexes every line once', () => {
    const u = q.refresh();
    assert.equal(u.lines, records.length);
    assert.equal(q.refresh().lines, 0);
    assert.deepEqual(q.coverage(), {
      oldest: Math.min(...records.map((r) => Date.parse(r.time))),
      newest: Math.max(...records.map((r) => Date.parse(r.time))),
    });
  });

  for (const [rangeName, range] of Object.entries(RANGES)) {
    for (const [filterName, filters] of Object.entries(FILTERS)) {
      test(`top and stats match the slow answer: ${rangeName}, filter ${filterName}`, () => {
        for (const subject of ['senders', 'recipients', 'deferrals', 'failures'] as TopSubject[]) {
          assert.deepEqual(
            q.top(subject, { range, filters }).rows,
            refTop(records, subject, clamp(range), filters),
            subject,
          );
        }
        for (const subject of ['users', 'domains'] as StatsSubject[]) {
          assert.deepEqual(
            q.stats(subject, { range, filters }).rows,
            refStats(records, subject, clamp(range), filters),
            subject,
          );
        }
      });
      test(`show matches the slow answer: ${rangeName}, filter ${filterName}`, () => {
        for (const result of [undefined, 'success', 'deferral', 'failure'] as const) {
          const got = q.show({ range, filters, ...(result ? { result } : {}) });
          assert.deepEqual(got.records, refShow(records, range, filters, result), String(result));
          assert.equal(got.truncated, false);
        }
      });
    }
  }

  function clamp(r: { from: number; to: number }) {
    return { from: Math.max(r.from, q.coverage().oldest!), to: r.to };
  }

  test('every column sorts both ways', () => {
    const range = RANGES['days with ragged edges'];
    for (const sort of ['sender', 'total', 'successes', 'deferrals', 'failures', 'bytes']) {
      for (const descending of [false, true]) {
        assert.deepEqual(
          q.top('senders', { range, sort, descending }).rows,
          refTop(records, 'senders', range, {}, sort, descending),
        );
      }
    }
    for (const sort of ['domain', 'users', 'sent', 'received']) {
      assert.deepEqual(
        q.stats('domains', { range, sort, descending: true }).rows,
        refStats(records, 'domains', range, {}, sort, true),
      );
    }
    assert.throws(
      () => q.top('senders', { range, sort: 'recipient' }),
      /cannot sort by "recipient"; the columns are sender, total/,
    );
  });

  test('limits cut tables and listings', () => {
    const range = RANGES['days with ragged edges'];
    const top = q.top('recipients', { range, limit: 3 });
    assert.deepEqual(top.rows, refTop(records, 'recipients', range, {}).slice(0, 3));
    assert.deepEqual(top.columns, ['recipient', 'total', 'successes', 'deferrals', 'failures', 'bytes']);
    const shown = q.show({ range, limit: 5 });
    assert.deepEqual(shown.records, refShow(records, range, {}).slice(0, 5));
    assert.equal(shown.truncated, true);
  });

  test('a range reaching past the oldest log says how far back the logs go', () => {
    const oldest = new Date(q.coverage().oldest!).toISOString();
    assert.equal(
      q.top('senders', { range: RANGES['everything and before'] }).warning,
      `We only have logs dating back to ${oldest}`,
    );
    assert.equal(q.top('senders', { range: RANGES['whole hours'] }).warning, undefined);
    assert.equal(
      q.top('senders', { range: RANGES['everything and before'] }).range.from,
      q.coverage().oldest,
    );
  });
});

describe('hand-checked answers', () => {
  test('a log of five attempts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailstead-logq-'));
    const log = join(dir, 'delivery.jsonl');
    const at = (m: number) => new Date(Date.UTC(2024, 0, 1, 10, m)).toISOString();
    const rec = (
      m: number,
      sender: string,
      recipient: string,
      kind: 'local' | 'remote',
      result: DeliveryRecord['result'],
      source: DeliveryRecord['source'],
      authUser: string | null,
    ): DeliveryRecord => ({
      time: at(m),
      queueId: `q${m}`,
      messageId: null,
      sender,
      recipient,
      kind,
      result,
      reply: '',
      size: 100,
      clientIp: null,
      authUser,
      source,
    });
    const lines = [
      rec(1, 'ann@here.test', 'bob@far.test', 'remote', 'success', 'webmail', 'ann@here.test'),
      rec(2, 'ann@here.test', 'cat@far.test', 'remote', 'deferral', 'submission', 'ann@here.test'),
      rec(3, 'ann@here.test', 'cat@far.test', 'remote', 'failure', 'submission', 'ann@here.test'),
      rec(4, 'bob@far.test', 'ann@here.test', 'local', 'success', 'smtp', null),
      rec(5, 'ann@here.test', 'dan@here.test', 'local', 'success', 'submission', 'ann@here.test'),
    ];
    writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"torn line\n');
    const q = new DeliveryLogQuery(log);
    const range = { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 2) };
    try {
      assert.equal(q.refresh().skipped, 1);
      assert.deepEqual(q.top('senders', { range }).rows, [
        { sender: 'ann@here.test', total: 4, successes: 2, deferrals: 1, failures: 1, bytes: 400 },
        { sender: 'bob@far.test', total: 1, successes: 1, deferrals: 0, failures: 0, bytes: 100 },
      ]);
      assert.deepEqual(q.top('failures', { range }).rows, [
        { recipient: 'cat@far.test', failures: 1, total: 2, bytes: 200 },
      ]);
      assert.deepEqual(q.stats('users', { range }).rows, [
        {
          user: 'ann@here.test',
          total: 5,
          sent: 4,
          received: 1,
          successes: 3,
          deferrals: 1,
          failures: 1,
          bytes: 500,
        },
        {
          user: 'dan@here.test',
          total: 1,
          sent: 0,
          received: 1,
          successes: 1,
          deferrals: 0,
          failures: 0,
          bytes: 100,
        },
      ]);
      assert.deepEqual(q.stats('domains', { range }).rows, [
        {
          domain: 'here.test',
          users: 2,
          total: 6,
          sent: 4,
          received: 2,
          successes: 4,
          deferrals: 1,
          failures: 1,
          bytes: 600,
        },
      ]);
      assert.deepEqual(
        q.top('senders', { range, filters: { webmailOnly: true } }).rows.map((r) => r.total),
        [1],
      );
      assert.deepEqual(q.show({ range, result: 'deferral' }).records, [lines[1]]);
      assert.deepEqual(q.show({ range, filters: { user: 'dan@here.test' } }).records, [lines[4]]);
    } finally {
      q.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rotation and retention', () => {
  test('rotated files are still read, a writer on the renamed file is followed, expired files go', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailstead-logrot-'));
    const log = join(dir, 'delivery.jsonl');
    const all: DeliveryRecord[] = [];
    const day = 24 * H;
    const part = (i: number) => ({
      ...SMALL_SHAPE,
      count: 500,
      seed: i,
      from: T0 + i * day,
      to: T0 + i * day + 20 * H,
      jitterMs: 0,
    });
    const now = T0 + 10 * day;
    const q = new DeliveryLogQuery(log, undefined, { now: () => now });
    try {
      all.push(...writeLog(log, part(0), true));
      assert.equal(q.maintain(1024 * 1024 * 1024, 0).rotated, undefined, 'under the size limit');
      const rotated = q.maintain(1024, 0).rotated!;
      assert.match(rotated, /delivery-\d{8}T\d{6}Z\.jsonl$/);
      // A writer that has not reopened yet appends to the renamed file.
      const late = writeLog(
        rotated,
        { ...part(0), count: 10, seed: 99, from: T0 + 21 * H, to: T0 + 22 * H },
        true,
      );
      all.push(...late);
      all.push(...writeLog(log, part(1), true));
      const range = { from: T0, to: T0 + 3 * day };
      assert.deepEqual(q.top('senders', { range }).rows, refTop(all, 'senders', range, {}));
      assert.equal(listLogFiles(log).length, 2);
      assert.match(
        q.maintain(1024, 0, true).rotated!,
        /delivery-\d{8}T\d{6}Z-1\.jsonl$/,
        'a second rotation in the same second gets a suffix',
      );
      all.push(...writeLog(log, part(2), true));

      // Retention: the first file was last written long ago; the second recently.
      const [first, second] = listLogFiles(log);
      utimesSync(first!.path, new Date(T0), new Date(T0));
      utimesSync(second!.path, new Date(now), new Date(now));
      const kept = all.filter((r) => Date.parse(r.time) >= T0 + day);
      const { removed } = q.maintain(0, 5 * day);
      assert.deepEqual(removed, [first!.path]);
      const wide = { from: T0, to: T0 + 4 * day };
      const answer = q.top('senders', { range: wide });
      assert.equal(
        answer.warning,
        `We only have logs dating back to ${new Date(q.coverage().oldest!).toISOString()}`,
      );
      assert.deepEqual(answer.rows, refTop(kept, 'senders', wide, {}));
      assert.deepEqual(q.stats('domains', { range: wide }).rows, refStats(kept, 'domains', wide, {}));
    } finally {
      q.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('lines appended after a query are counted once, a half-written line waits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mailstead-logapp-'));
    const log = join(dir, 'delivery.jsonl');
    const q = new DeliveryLogQuery(log);
    try {
      const first = writeLog(log, { ...SMALL_SHAPE, count: 200 }, true);
      const range = { from: SMALL_SHAPE.from, to: SMALL_SHAPE.to + H };
      assert.deepEqual(q.top('recipients', { range }).rows, refTop(first, 'recipients', range, {}));
      const more = writeLog(log, { ...SMALL_SHAPE, count: 100, seed: 3 }, true);
      const line = JSON.stringify(more[0]);
      appendFileSync(log, line.slice(0, 20));
      assert.deepEqual(
        q.top('recipients', { range }).rows,
        refTop([...first, ...more], 'recipients', range, {}),
      );
      appendFileSync(log, line.slice(20) + '\n');
      assert.deepEqual(
        q.top('recipients', { range }).rows,
        refTop([...first, ...more, more[0]!], 'recipients', range, {}),
      );
    } finally {
      q.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
