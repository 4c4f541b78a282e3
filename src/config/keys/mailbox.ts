import { defineKey } from '../schema.js';
import { durationType, listType, sizeType, stringType } from '../types.js';

export const mailboxKeys = [
  defineKey({
    key: 'mailbox.append_limit',
    type: sizeType,
    default: 50 * 1024 * 1024,
    description:
      'Largest message a client may APPEND (IMAP APPENDLIMIT); delivery is limited by the SMTP message size instead.',
    reload: 'live',
  }),
  defineKey({
    key: 'mailbox.special_folders',
    type: listType(stringType),
    default: ['Sent=\\Sent', 'Drafts=\\Drafts', 'Trash=\\Trash', 'Junk=\\Junk', 'Archive=\\Archive'],
    description: 'Folders made for every account besides INBOX, each NAME=\\SpecialUse (RFC 6154).',
    reload: 'live',
  }),
  defineKey({
    key: 'mailbox.dedupe_retention',
    type: durationType,
    default: 7 * 86_400_000,
    description:
      'How long a delivery dedupe key is remembered, so a redelivery after a crash is not stored twice.',
    reload: 'live',
  }),
];
