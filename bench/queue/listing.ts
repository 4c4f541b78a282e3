// Queue listing pages at depth: the admin UI's queue page with 100 000 queued messages. Fills a
// fresh SQLite store, then times the first page, a deep page by offset, and the same deep page
// by cursor (keyset). Usage: node dist/bench/queue/listing.js [MESSAGES] (default 100000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock.js';
import { QueueService } from '../../src/queue/queue-service.js';
import { BlobVolumes } from '../../src/store/blobs/blob-volumes.js';
import { FsBlobStore } from '../../src/store/blobs/fs-blob-store.js';
import { schemaComponents } from '../../src/store/components.js';
import { migrate } from '../../src/store/migrate.js';
import { QueueRepo } from '../../src/store/queue/queue-repo.js';
import { openDatabase } from '../../src/store/store.js';
import { fillQueue } from '../../test/queue/queue-fill.js';

const messages = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'mailstead-bench-queue-'));
const db = await openDatabase({ url: `sqlite:${join(dir, 'store.db')}`, dataDir: dir });
await migrate(db, schemaComponents);
const repo = new QueueRepo(db);
const service = new QueueService(
  repo,
  new BlobVolumes(new FsBlobStore(join(dir, 'blobs')), {}),
  systemClock,
  async () => '',
);
let t = performance.now();
const recipients = await fillQueue(db, repo, messages);
console.log(
  `filled ${messages} messages, ${recipients} recipients in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

async function timed(what: string, run: () => Promise<unknown>): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    await run();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  console.log(
    `${what.padEnd(44)} median ${runs[2]!.toFixed(1)} ms  (min ${runs[0]!.toFixed(1)}, max ${runs[4]!.toFixed(1)})`,
  );
}

const PAGE = 100;
const depth = Math.floor((recipients * 0.9) / PAGE) * PAGE;
const before = await service.page({ limit: PAGE }, { offset: depth - PAGE });
await timed('page 1', () => service.page({ limit: PAGE }, {}));
await timed(`page ${depth / PAGE + 1} by offset ${depth}`, () =>
  service.page({ limit: PAGE }, { offset: depth }),
);
await timed(`page ${depth / PAGE + 1} by cursor`, () =>
  service.page({ limit: PAGE }, { after: before.next! }),
);
await timed(`page ${depth / PAGE + 1} by cursor, state=deferred`, () =>
  service.page({ limit: PAGE, state: 'deferred' }, { after: before.next! }),
);
const a = await service.page({ limit: PAGE }, { offset: depth });
const b = await service.page({ limit: PAGE }, { after: before.next! });
if (JSON.stringify(a.items.map((i) => i.recipient)) !== JSON.stringify(b.items.map((i) => i.recipient)))
  throw new Error('cursor and offset pages differ');
await db.close();
rmSync(dir, { recursive: true, force: true });
