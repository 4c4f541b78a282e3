import type { ImapSession } from './session.js';

/** Extensions that work in every state after login; each has its command file and tests. */
const EXTENSIONS = [
  'LITERAL+',
  'SASL-IR',
  'ID',
  'ENABLE',
  'IDLE',
  'NAMESPACE',
  'UNSELECT',
  'UIDPLUS',
  'MULTIAPPEND',
  'CATENATE',
  'MOVE',
  'CHILDREN',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'STATUS=SIZE',
  'CONDSTORE',
  'QRESYNC',
  'ESEARCH',
  'SEARCHRES',
  'ACL',
  'RIGHTS=TEKX',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE',
  'QUOTASET',
  'METADATA',
  'SORT',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
  'BINARY',
  'UTF8=ACCEPT',
  'OBJECTID',
];

/** CAPABILITY for the session's state: STARTTLS and AUTH= before login, COMPRESS once. */
export function capabilityList(s: ImapSession): string[] {
  const caps = ['IMAP4rev1', 'IMAP4rev2'];
  if (s.state === 'notauth') {
    if (!s.secure) caps.push('STARTTLS');
    caps.push(...(s.plaintextAllowed() ? ['AUTH=PLAIN', 'AUTH=LOGIN'] : ['LOGINDISABLED']));
  }
  caps.push(...EXTENSIONS, `APPENDLIMIT=${s.app.config.get<number>('mailbox.append_limit')}`);
  if (s.state !== 'notauth' && !s.compressed) caps.push('COMPRESS=DEFLATE');
  return caps;
}
