import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DeliveryRecord } from '../../src/log/delivery-record.js';

/** A small deterministic PRNG (mulberry32), so a generated log is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LogShape {
  count: number;
  /** First and last attempt times (ms). */
  from: number;
  to: number;
  localDomains: number;
  usersPerDomain: number;
  remoteAddresses: number;
  seed: number;
  /** Largest step back in time between consecutive lines (ms): concurrent writers interleave. */
  jitterMs: number;
}

export const SMALL_SHAPE: LogShape = {
  count: 3000,
  from: Date.UTC(2024, 4, 1, 0, 0, 0),
  to: Date.UTC(2024, 4, 4, 6, 0, 0),
  localDomains: 3,
  usersPerDomain: 5,
  remoteAddresses: 40,
  seed: 7,
  jitterMs: 90_000,
};

const REPLIES = {
  success: '250 2.0.0 Ok',
  deferral: '451 4.4.1 try again later',
  failure: '550 5.1.1 user unknown',
} as const;

/** One generated attempt, before it is written as a record. */
export interface Draw {
  i: number;
  time: number;
  outgoing: boolean;
  localSender: boolean;
  sender: string;
  recipient: string;
  webmail: boolean;
  result: 0 | 1 | 2;
  size: number;
}

/**
 * Calls `emit` with `count` attempts spread evenly from `from` to `to`: incoming mail to local
 * users, outgoing mail from them (some through webmail), popular addresses far more common than
 * rare ones, and a little disorder in time as concurrent writers produce. `address` spells
 * `user<a>@dom<b>.test` (local) or `ext<a>@far<b>.example` (remote); a caller may cache them.
 */
export function generateDraws(
  shape: LogShape,
  emit: (d: Draw) => void,
  address = (local: boolean, a: number, b: number) =>
    local ? `user${a}@dom${b}.test` : `ext${a}@far${b}.example`,
): void {
  const rnd = prng(shape.seed);
  const skewed = (n: number) => Math.floor(n * rnd() * rnd());
  const local = () => {
    const user = skewed(shape.usersPerDomain);
    return address(true, user, skewed(shape.localDomains));
  };
  const remote = () => {
    const ext = skewed(shape.remoteAddresses);
    return address(false, ext, skewed(7));
  };
  const step = (shape.to - shape.from) / Math.max(1, shape.count - 1);
  for (let i = 0; i < shape.count; i++) {
    const time = Math.max(shape.from, Math.round(shape.from + i * step - rnd() * shape.jitterMs));
    const outgoing = rnd() < 0.45;
    const localSender = outgoing || rnd() < 0.25;
    const sender = localSender ? local() : rnd() < 0.05 ? '' : remote();
    const webmail = localSender && rnd() < 0.2;
    const roll = rnd();
    const result = roll < 0.85 ? 0 : roll < 0.95 ? 1 : 2;
    const recipient = outgoing ? remote() : local();
    emit({ i, time, outgoing, localSender, sender, recipient, webmail, result, size: 500 + skewed(100_000) });
  }
}

const RESULTS = ['success', 'deferral', 'failure'] as const;

/** The generated attempts as delivery records. */
export function generateRecords(shape: LogShape, emit: (r: DeliveryRecord) => void): void {
  generateDraws(shape, (d) => {
    const result = RESULTS[d.result];
    emit({
      time: new Date(d.time).toISOString(),
      queueId: `q${d.i.toString(36)}`,
      messageId: `<m${d.i}@gen.test>`,
      sender: d.sender,
      recipient: d.recipient,
      kind: d.outgoing ? 'remote' : 'local',
      result,
      reply: REPLIES[result],
      ...(d.outgoing ? { relay: 'mx.far.example' } : {}),
      size: d.size,
      clientIp: d.localSender ? '192.0.2.10' : '198.51.100.7',
      authUser: d.localSender ? d.sender : null,
      source: d.webmail ? 'webmail' : d.localSender ? 'submission' : 'smtp',
    });
  });
}

/** Writes a generated log in large chunks; returns the records too when `keep` is set. */
export function writeLog(file: string, shape: LogShape, keep = false): DeliveryRecord[] {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  const kept: DeliveryRecord[] = [];
  let chunk = '';
  generateRecords(shape, (r) => {
    if (keep) kept.push(r);
    chunk += JSON.stringify(r) + '\n';
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  });
  writeSync(fd, chunk);
  closeSync(fd);
  return kept;
}
