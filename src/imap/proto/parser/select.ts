import { ImapParseError } from '../errors.js';
import type { SequenceSet } from '../sequence.js';
import type { TokenReader } from './reader.js';

export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids: SequenceSet | undefined;
  /** Pairs of message numbers and their UIDs the client remembers (RFC 7162 seq-match-data). */
  seqMatch: { sequences: SequenceSet; uids: SequenceSet } | undefined;
}

export interface SelectCommand {
  name: 'SELECT' | 'EXAMINE';
  tag: string;
  mailbox: string;
  condstore: boolean;
  qresync: QresyncParams | undefined;
}

export function parseSelect(name: 'SELECT' | 'EXAMINE', tag: string, r: TokenReader): SelectCommand {
  const mailbox = r.mailbox();
  let condstore = false;
  let qresync: QresyncParams | undefined;
  if (!r.done) {
    r.list(
      'select parameters',
      () => {
        const param = r.keyword('select parameter');
        if (param === 'CONDSTORE' && !condstore) condstore = true;
        else if (param === 'QRESYNC' && !qresync) qresync = parseQresync(r);
        else throw new ImapParseError(`Unknown or repeated select parameter ${param}`);
      },
      true,
    );
  }
  r.end();
  return { name, tag, mailbox, condstore, qresync };
}

function parseQresync(r: TokenReader): QresyncParams {
  r.open('QRESYNC parameters');
  const uidValidity = r.nzNumber('UIDVALIDITY');
  const modseq = r.number64('mod-sequence', true);
  let knownUids: SequenceSet | undefined;
  let seqMatch: QresyncParams['seqMatch'];
  if (!r.isClose() && !r.isOpen()) knownUids = r.sequenceSet();
  if (r.isOpen()) {
    r.open('sequence match data');
    seqMatch = { sequences: r.sequenceSet(), uids: r.sequenceSet() };
    r.close('sequence match data');
  }
  r.close('QRESYNC parameters');
  return { uidValidity, modseq, knownUids, seqMatch };
}
