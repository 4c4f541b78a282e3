/** The directory's records, as services and protocols see them. */
export type Role = 'user' | 'group-admin' | 'domain-admin' | 'server-admin';

export interface Domain {
  id: number;
  name: string;
  /** For a domain alias: the domain whose accounts receive its mail. */
  aliasOf: string | null;
  /** Hosting limits; null = unlimited. */
  maxAccounts: number | null;
  maxAliases: number | null;
  maxStorage: number | null;
  /** Mail to unknown local parts goes here when set (catch-all). */
  catchAll: string | null;
  createdAt: number;
}

export interface Account {
  id: number;
  /** Canonical `local@domain`, local part lower-cased. */
  address: string;
  domain: string;
  displayName: string;
  role: Role;
  enabled: boolean;
  /** Storage quota in bytes and message-count quota; null = unlimited. */
  quotaBytes: number | null;
  quotaMessages: number | null;
  /** Privilege: may only receive mail from local senders. */
  receiveLocalOnly: boolean;
  /** Privilege: may use webmail. */
  webmail: boolean;
  /** Group / organisational unit the account belongs to. */
  groupId: number | null;
  /** Forwarding targets, and whether a copy stays in the mailbox. */
  forwardTo: string[];
  forwardKeepCopy: boolean;
  /** Blob volume for this account's messages (the SCOoffice archive-account move); null = default. */
  blobVolume: string | null;
  createdAt: number;
}

export interface Alias {
  id: number;
  address: string;
  /** Local or remote addresses, or other aliases (expanded recursively). */
  members: string[];
  /** Accounts that manage this alias. */
  owners: string[];
  /** Restricted: only `allowedSenders` (and members, when `membersMaySend`) may send to it. */
  restricted: boolean;
  allowedSenders: string[];
  membersMaySend: boolean;
  createdAt: number;
}

export interface Group {
  id: number;
  name: string;
  parentId: number | null;
  /** The domain whose domain admins manage this group; null = server admins only. */
  domain: string | null;
  /** Accounts with the group-admin role over this group (and its sub-groups). */
  admins: string[];
}

/** Who is asking, for authorization of directory changes. The CLI acts as the system. */
export type Actor = { kind: 'system' } | { kind: 'account'; account: Account };

export const SYSTEM: Actor = { kind: 'system' };

/** What an address delivers to, for the SMTP server at RCPT time and for local delivery. */
export type Recipient =
  | { kind: 'account'; account: Account; detail: string | undefined }
  | { kind: 'alias'; alias: Alias }
  | { kind: 'unknown-local' }
  | { kind: 'remote' };

/** Grants on a mailbox or alias address to send as it or on its behalf (Sender: header). */
export type SendPermission = 'send-as' | 'send-on-behalf';

/** Where a login attempt comes from, for throttling and the failure log. */
export interface AuthContext {
  ip: string | null;
  protocol: string;
}

/** What a new account is made of; omitted fields take the defaults shown. */
export interface AccountInput {
  address: string;
  /** Plain password, hashed with scrypt before it is stored. */
  password: string;
  displayName?: string; // ''
  role?: Role; // 'user'
  quotaBytes?: number | null; // unlimited
  quotaMessages?: number | null; // unlimited
  receiveLocalOnly?: boolean; // false
  webmail?: boolean; // true
  groupId?: number | null;
  forwardTo?: string[];
  forwardKeepCopy?: boolean; // true
}

export type AccountUpdate = Partial<
  Pick<
    Account,
    | 'displayName'
    | 'role'
    | 'quotaBytes'
    | 'quotaMessages'
    | 'receiveLocalOnly'
    | 'webmail'
    | 'groupId'
    | 'forwardTo'
    | 'forwardKeepCopy'
    | 'blobVolume'
  >
>;

export interface DomainInput {
  name: string;
  aliasOf?: string | null;
  maxAccounts?: number | null;
  maxAliases?: number | null;
  maxStorage?: number | null;
  catchAll?: string | null;
}

export type DomainUpdate = Partial<Pick<Domain, 'maxAccounts' | 'maxAliases' | 'maxStorage' | 'catchAll'>>;

/** One hosting limit: how much is used and the maximum (null = unlimited). */
export interface Usage {
  used: number;
  max: number | null;
}

/**
 * A domain's consumption against its hosting limits. `storage.used` sums `accounts.used_bytes`,
 * which the mailbox store keeps current; `storage.allocated` sums the accounts' quotas.
 */
export interface DomainUsage {
  accounts: Usage;
  aliases: Usage;
  storage: Usage & { allocated: number };
}

export interface AliasInput {
  address: string;
  members: string[];
  owners?: string[];
  restricted?: boolean;
  allowedSenders?: string[];
  membersMaySend?: boolean;
}

export type AliasUpdate = Partial<Pick<Alias, 'restricted' | 'allowedSenders' | 'owners' | 'membersMaySend'>>;

export interface GroupInput {
  name: string;
  /** Parent group name; a sub-group belongs to its parent's domain. */
  parent?: string | null;
  /** The domain whose admins manage the group; null = only server admins. */
  domain?: string | null;
}

/** A grant of a SendPermission on `mailbox` to an account or to every member of a group (and its sub-groups). */
export interface SendGrant {
  mailbox: string;
  grantee: { kind: 'account'; address: string } | { kind: 'group'; name: string };
  permission: SendPermission;
}

export interface AccountFilter {
  domain?: string;
  groupId?: number;
  role?: Role;
  limit?: number;
  offset?: number;
}
