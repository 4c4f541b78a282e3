import type { Config } from '../../config/config.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { MailsteadError, NotFoundError } from '../../core/errors.js';
import { markedUnscanned, UNSCANNED_FIELD } from '../../scan/virus/unscanned-mark.js';
import { VersionedMemo } from '../../core/versioned-memo.js';
import type {
  GlobalPosition,
  GlobalScriptRow,
  SieveRepo,
  SieveScriptRow,
} from '../../store/sieve/sieve-repo.js';
import type { SieveEnvelope } from '../context.js';
import type { RunOptions } from '../interpreter.js';
import { messageContextFromRaw } from '../message.js';
import { compileRules } from '../rules.js';
import { compileSieve } from '../validator.js';
import type { Extension } from '../signatures.js';
import { applyRuleEdit, emptyModel, RuleEditError, type RuleEdit, type RuleModel } from './rule-model.js';
import { compiledOrUndefined, runChain, type ChainResult, type NamedScript } from './script-chain.js';

/** The script the rule editor writes and activates. */
export const RULES_SCRIPT = 'mailstead-rules';

export interface ScriptInfo {
  name: string;
  active: boolean;
  size: number;
}

/** The account a delivery is for, as the script sees it. */
export interface SieveAccount {
  id: number;
  address: string;
  domain: string;
}

export interface DeliveryRunInput {
  account: SieveAccount;
  envelope: SieveEnvelope;
  readMessage: () => Promise<Buffer>;
  /** The account's folder names, asked only when a script tests mailboxexists. */
  folderNames: () => Promise<string[]>;
  /** How the message reached the queue, for virustest: only SMTP and submission go through the virus stage. */
  arrival?: { queueId: string; source: string };
  /** Run only when a script can use one of these extensions (the message is not read otherwise). */
  onlyIf?: Extension[];
}

export interface DeliveryRun extends ChainResult {
  raw: Buffer;
  /** The message's header fields as the script saw them (decoded), for the messages actions send. */
  header(name: string): readonly string[];
  /** Persists what the run remembered (duplicate ids, vacation replies); call once the actions are carried out. */
  commit(): Promise<void>;
}

const NAME = /^[^\x00-\x1f\x7f/]{1,128}$/;

/** Refusals carry the ManageSieve response code (RFC 5804 §1.3) in their `imap.code`. */
function refuse(message: string, code?: string): MailsteadError {
  return new MailsteadError(message, {
    operator: true,
    imap: code ? { status: 'NO', code } : { status: 'NO' },
  });
}

/**
 * Users' Sieve scripts (ManageSieve semantics: many stored, one active, quota), the global
 * scripts administrators run before and after them, the rule editor's model, and the run at
 * delivery. Protocol layers and the CLI call this; only the repo knows SQL.
 */
export class SieveService {
  /**
   * The scripts each account's deliveries run, remembered while the store's change version
   * stays the same, so a script stored by ManageSieve, the CLI or another server applies to the
   * next delivery.
   */
  private readonly deliveryScripts: VersionedMemo<{
    user: SieveScriptRow | undefined;
    globals: GlobalScriptRow[];
  }>;

  constructor(
    private readonly repo: SieveRepo,
    private readonly config: Config,
    private readonly clock: Clock = systemClock,
  ) {
    this.deliveryScripts = new VersionedMemo(() => repo.version());
  }

  // ---- scripts ----

  async listScripts(accountId: number): Promise<ScriptInfo[]> {
    return (await this.repo.list(accountId)).map((s) => ({
      name: s.name,
      active: s.active,
      size: Buffer.byteLength(s.content),
    }));
  }

  async getScript(accountId: number, name: string): Promise<string> {
    const s = await this.repo.get(accountId, name);
    if (!s) throw refuse(`there is no script "${name}"`, 'NONEXISTENT');
    return s.content;
  }

  /** Throws a SieveSyntaxError (with line and column) when the script does not compile. */
  checkScript(content: string, name = 'script'): void {
    compileSieve(content, { name });
  }

  /** RFC 5804 HAVESPACE: throws a QUOTA refusal when storing `size` bytes as `name` would exceed a limit. */
  async haveSpace(accountId: number, name: string, size: number): Promise<void> {
    checkName(name);
    const max = this.config.get<number>('sieve.max_script_size');
    if (size > max) throw refuse(`a script may hold at most ${max} bytes`, 'QUOTA/MAXSIZE');
    const scripts = await this.repo.list(accountId);
    if (
      !scripts.some((s) => s.name === name) &&
      scripts.length >= this.config.get<number>('sieve.max_scripts')
    ) {
      throw refuse(
        `at most ${this.config.get<number>('sieve.max_scripts')} scripts may be stored`,
        'QUOTA/MAXSCRIPTS',
      );
    }
  }

  async putScript(accountId: number, name: string, content: string): Promise<void> {
    await this.haveSpace(accountId, name, Buffer.byteLength(content));
    this.checkScript(content, name);
    await this.repo.put(accountId, name, content, this.clock.now());
  }

  /** Activates `name`, or deactivates every script when null. */
  async activate(accountId: number, name: string | null): Promise<void> {
    if (!(await this.repo.setActive(accountId, name)))
      throw refuse(`there is no script "${name}"`, 'NONEXISTENT');
  }

  async rename(accountId: number, from: string, to: string): Promise<void> {
    checkName(to);
    if (!(await this.repo.get(accountId, from))) throw refuse(`there is no script "${from}"`, 'NONEXISTENT');
    if (await this.repo.get(accountId, to)) throw refuse(`a script "${to}" exists already`, 'ALREADYEXISTS');
    await this.repo.rename(accountId, from, to);
  }

  async deleteScript(accountId: number, name: string): Promise<void> {
    const s = await this.repo.get(accountId, name);
    if (!s) throw refuse(`there is no script "${name}"`, 'NONEXISTENT');
    if (s.active) throw refuse(`"${name}" is the active script; activate another (or none) first`, 'ACTIVE');
    await this.repo.remove(accountId, name);
  }

  // ---- global scripts: scope '' is server-wide, otherwise a domain ----

  async putGlobal(scope: string, position: GlobalPosition, content: string): Promise<void> {
    this.checkScript(content, globalName(scope, position));
    await this.repo.putGlobal(scope.toLowerCase(), position, content, this.clock.now());
  }

  async getGlobal(scope: string, position: GlobalPosition): Promise<string> {
    const s = await this.repo.globalScript(scope.toLowerCase(), position);
    if (s === undefined) throw new NotFoundError(`global ${position} script of ${scope || 'the server'}`);
    return s;
  }

  listGlobal(): ReturnType<SieveRepo['listGlobal']> {
    return this.repo.listGlobal();
  }

  async removeGlobal(scope: string, position: GlobalPosition): Promise<void> {
    if (!(await this.repo.removeGlobal(scope.toLowerCase(), position)))
      throw new NotFoundError(`global ${position} script of ${scope || 'the server'}`);
  }

  // ---- the rule editor ----

  async rules(accountId: number): Promise<RuleModel> {
    const json = await this.repo.ruleModel(accountId);
    return json ? (JSON.parse(json) as RuleModel) : emptyModel();
  }

  /**
   * Applies an edit to the account's rules and stores the regenerated script as the active one.
   * Refuses when the generated script was since edited by hand (ManageSieve), which would be lost.
   */
  async editRules(accountId: number, edit: RuleEdit): Promise<RuleModel> {
    const model = await this.rules(accountId);
    const current = await this.repo.get(accountId, RULES_SCRIPT);
    if (current && current.content !== compileModel(model)) {
      throw refuse(
        `the script "${RULES_SCRIPT}" was changed by hand after the rule editor wrote it; edit it as a script, or delete it to start the rules afresh`,
      );
    }
    let next: RuleModel;
    let script: string;
    try {
      next = applyRuleEdit(model, edit);
      script = compileModel(next);
    } catch (e) {
      if (e instanceof RangeError || e instanceof RuleEditError) throw refuse(e.message);
      throw e;
    }
    await this.haveSpace(accountId, RULES_SCRIPT, Buffer.byteLength(script));
    await this.repo.putRuleModel(accountId, JSON.stringify(next), RULES_SCRIPT, script, this.clock.now());
    return next;
  }

  // ---- delivery ----

  /**
   * Runs the account's scripts; undefined (the message is not even read) when there are none, or
   * none can use the extensions `onlyIf` asks for. Nothing is remembered until `commit()`, so a
   * run whose actions are not carried out (the dry run at SMTP time) leaves no trace.
   */
  async runForDelivery(input: DeliveryRunInput): Promise<DeliveryRun | undefined> {
    const { account } = input;
    const { user, globals } = await this.deliveryScripts.get(`${account.id}\0${account.domain}`, async () => {
      const [user, globals] = await Promise.all([
        this.repo.active(account.id),
        this.repo.globalScripts(account.domain),
      ]);
      return { user, globals };
    });
    if (!user && !globals.length) return undefined;
    const pick = (position: GlobalPosition, scopes: string[]): NamedScript[] =>
      scopes.flatMap((scope) =>
        globals
          .filter((g) => g.scope === scope && g.position === position)
          .map((g) => ({
            name: globalName(scope, position),
            content: g.content,
            key: `global\0${scope}\0${position}`,
          })),
      );
    const userKey = (name: string) => `user\0${account.id}\0${name}`;
    const before = pick('before', ['', account.domain]);
    const after = pick('after', [account.domain, '']);
    const userScript = user && { name: user.name, content: user.content, key: userKey(user.name) };
    const scripts = [...before, ...(userScript ? [userScript] : []), ...after].map(compiledOrUndefined);
    const personal = scripts.some((c) => c?.extensions.has('include'))
      ? new Map((await this.repo.list(account.id)).map((s) => [s.name, s.content]))
      : undefined;
    // What the run may ask for is read from the store only when a script can ask; a script
    // including the user's others could ask for anything.
    const needs = (ext: Extension) => !!personal || scripts.some((c) => c?.extensions.has(ext));
    if (input.onlyIf && !input.onlyIf.some(needs)) return undefined;
    const now = this.clock.now();
    const sender = input.envelope.from.toLowerCase();
    const [raw, folders, replies, duplicates] = await Promise.all([
      input.readMessage(),
      needs('mailbox') ? input.folderNames() : Promise.resolve([]),
      needs('vacation')
        ? this.repo.vacationReplies(account.id, sender)
        : Promise.resolve(new Map<string, number>()),
      needs('duplicate')
        ? this.repo.duplicates(account.id, now)
        : Promise.resolve(new Map<string, { first: number; last: number }>()),
    ]);
    const folderSet = new Set(folders.map((f) => f.toLowerCase()));
    const pendingReplies = new Map<string, number>();
    const pendingDuplicates = new Map<string, { first: number; last: number; expires: number }>();
    const ctx = messageContextFromRaw(raw, input.envelope, {
      now: new Date(now),
      host: this.config.get<string>('server.hostname'),
      // The spam stage replaces any X-Spam-Status a message arrives with; without it, one is forged.
      trustSpamStatus: this.config.get<boolean>('spam.enabled'),
      userAddresses: [account.address],
      mailboxExists: (name) => folderSet.has(name.toLowerCase()) || name.toUpperCase() === 'INBOX',
      vacationReplied: (_from, handle, seconds) => {
        const at = pendingReplies.get(handle) ?? replies.get(handle);
        if (at !== undefined && now - at < seconds * 1000) return true;
        pendingReplies.set(handle, now);
        return false;
      },
      duplicate: (id, seconds, last) => {
        const seen = pendingDuplicates.get(id) ?? duplicates.get(id);
        const since = seen ? (last ? seen.last : seen.first) : undefined;
        const dup = since !== undefined && now - since < seconds * 1000;
        const first = dup && seen ? seen.first : now;
        pendingDuplicates.set(id, { first, last: now, expires: (last ? now : first) + seconds * 1000 });
        return dup;
      },
    });
    // Infected mail is refused at SMTP, so what came in through it was scanned clean, unless
    // clamd was down and antivirus.fail_open let it through marked unscanned (RFC 5235: "0").
    const { arrival } = input;
    const scanned =
      !!this.config.get<string>('antivirus.clamd') &&
      (arrival?.source === 'smtp' || arrival?.source === 'submission') &&
      !markedUnscanned(ctx.header(UNSCANNED_FIELD), arrival.queueId);
    ctx.virusVerdict = () => (scanned ? 1 : undefined);
    const result = runChain(
      {
        before,
        after,
        ...(userScript ? { user: userScript } : {}),
        personal: (n) => {
          const content = personal?.get(n);
          return content === undefined ? undefined : { name: n, content, key: userKey(n) };
        },
      },
      ctx,
      this.runOptions(),
    );
    return {
      ...result,
      raw,
      header: ctx.header,
      commit: async () => {
        for (const [handle, at] of pendingReplies)
          await this.repo.recordVacationReply(account.id, sender, handle, at);
        for (const [id, d] of pendingDuplicates)
          await this.repo.recordDuplicate(account.id, id, d, d.expires);
      },
    };
  }

  /** Forgets vacation replies and duplicate ids older than the longest period they can matter. */
  prune(): Promise<number> {
    return this.repo.prune(this.clock.now() - this.config.get<number>('sieve.vacation_max_period'));
  }

  private runOptions(): RunOptions {
    const seconds = (key: string) => Math.round(this.config.get<number>(key) / 1000);
    return {
      maxSteps: this.config.get<number>('sieve.max_steps'),
      maxRedirects: this.config.get<number>('sieve.max_redirects'),
      vacationMinSeconds: seconds('sieve.vacation_min_period'),
      vacationDefaultSeconds: seconds('sieve.vacation_default_period'),
      vacationMaxSeconds: seconds('sieve.vacation_max_period'),
    };
  }
}

function compileModel(m: RuleModel): string {
  return compileRules(m.rules, m.vacation);
}

function checkName(name: string): void {
  if (!NAME.test(name))
    throw refuse(`"${name}" is not a usable script name (1 to 128 characters, no control characters or "/")`);
}

/** Global scripts are named for include :global, e.g. "before@example.com", "after@server". */
export function globalName(scope: string, position: GlobalPosition): string {
  return `${position}@${scope || 'server'}`;
}
