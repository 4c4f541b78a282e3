/** Helpers for this module's tests: a message context from header lines and a body. */
import type { SieveAction } from './actions.js';
import type { SieveEnvelope } from './context.js';
import { runSieve, type RunOptions, type SieveResult } from './interpreter.js';
import { messageContextFromRaw, type MessageContextOptions } from './message.js';

export const DEFAULT_HEADERS = [
  'From: Joe Sender <joe@example.com>',
  'To: Mail User <user@example.org>',
  'Subject: Hello there',
  'Message-ID: <m1@example.com>',
  'Date: Tue, 1 Nov 2005 09:31:37 -0500',
];

export function rawMessage(headers: string[] = DEFAULT_HEADERS, body = 'Hello body.\r\n'): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

export interface RunSpec {
  headers?: string[];
  body?: string;
  envelope?: Partial<SieveEnvelope>;
  context?: MessageContextOptions;
  run?: RunOptions;
}

export function run(script: string, spec: RunSpec = {}): SieveResult {
  const envelope = { from: 'joe@example.com', to: 'user@example.org', ...spec.envelope };
  const ctx = messageContextFromRaw(rawMessage(spec.headers, spec.body), envelope, {
    now: new Date('2024-03-05T10:20:30Z'),
    zoneOffset: 0,
    ...spec.context,
  });
  return runSieve(script, ctx, spec.run);
}

/** Short text form of actions: "keep", "fileinto:Box", "redirect:a@b", "discard", "reject", ... */
export function summary(actions: SieveAction[]): string[] {
  return actions.map((a) => {
    switch (a.type) {
      case 'keep':
        return a.flags.length ? `keep[${a.flags.join(' ')}]` : 'keep';
      case 'fileinto':
        return `fileinto:${a.mailbox}${a.flags.length ? `[${a.flags.join(' ')}]` : ''}${a.copy ? ':copy' : ''}`;
      case 'redirect':
        return `redirect:${a.address}${a.copy ? ':copy' : ''}`;
      case 'reject':
        return `${a.ereject ? 'ereject' : 'reject'}:${a.reason}`;
      case 'vacation':
        return `vacation:${a.to}`;
      case 'addheader':
        return `addheader:${a.name}:${a.value}${a.last ? ':last' : ''}`;
      case 'deleteheader':
        return `deleteheader:${a.name}:${a.positions.join(',')}`;
      default:
        return a.type;
    }
  });
}

/** Runs and returns the summary, failing loudly when the script errored. */
export function actionsOf(script: string, spec: RunSpec = {}): string[] {
  const r = run(script, spec);
  if (r.error) throw r.error;
  return summary(r.actions);
}
