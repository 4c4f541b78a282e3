import type { SieveAction } from './actions.js';
import { addressPart, parseAddressList, type AddressPart } from './address.js';
import libmime from 'libmime';
import type { MimePart, SieveMessageContext } from './context.js';
import { datePart, parseMessageDate, parseZone, type ZonedDate } from './date.js';
import { SieveRuntimeError, SieveSyntaxError } from './errors.js';
import { HeaderView, PROTECTED_HEADERS } from './header-view.js';
import { matchValues, type MatchSpec } from './match.js';
import { isMailAddress, notifyCapability, notifyMethodProblem } from './notify-method.js';
import { RegexError } from './regex.js';
import {
  compileSieve,
  type CompiledScript,
  type CompileOptions,
  type Node,
  type Value,
} from './validator.js';
import { vacationRefusal } from './vacation.js';
import { applyModifiers, expandVariables } from './variables.js';

export interface RunOptions {
  /** Resolves "include" (RFC 6609), as text or already compiled; undefined when the script does not exist. */
  loadScript?: (name: string, location: 'personal' | 'global') => string | CompiledScript | undefined;
  /** Work units (commands, tests, comparisons, regex steps) before the script is aborted. */
  maxSteps?: number;
  maxRedirects?: number;
  /** Distinct notify actions per run (RFC 5435). */
  maxNotifications?: number;
  maxIncludeDepth?: number;
  /** Included scripts per run, counting repeats. */
  maxIncludes?: number;
  /** The subaddress separator of RFC 5233 (user+detail). */
  subaddressSeparator?: string;
  vacationDefaultSeconds?: number;
  vacationMinSeconds?: number;
  vacationMaxSeconds?: number;
  duplicateDefaultSeconds?: number;
  duplicateMaxSeconds?: number;
  /** Longest value a variable holds; longer values are truncated. */
  maxVariableLength?: number;
  compile?: CompileOptions;
}

export interface SieveResult {
  actions: SieveAction[];
  /** Set when the script failed; `actions` is then just the implicit keep. */
  error?: SieveSyntaxError | SieveRuntimeError;
}

const DAY = 86_400;
const DEFAULTS = {
  maxSteps: 5_000_000,
  maxRedirects: 4,
  maxNotifications: 4,
  maxIncludeDepth: 10,
  maxIncludes: 64,
  subaddressSeparator: '+',
  vacationDefaultSeconds: 7 * DAY,
  vacationMinSeconds: DAY,
  vacationMaxSeconds: 90 * DAY,
  duplicateDefaultSeconds: 7 * DAY,
  duplicateMaxSeconds: 90 * DAY,
  maxVariableLength: 1 << 16,
};

/**
 * Runs a script against a message. Never throws for a bad script: a syntax or runtime error gives
 * the implicit keep plus `error`, so mail is never lost to a broken filter.
 */
export function runSieve(
  script: string | CompiledScript,
  ctx: SieveMessageContext,
  opts: RunOptions = {},
): SieveResult {
  try {
    const compiled = typeof script === 'string' ? compileSieve(script, opts.compile) : script;
    return { actions: new Execution(ctx, { ...DEFAULTS, ...opts }).run(compiled) };
  } catch (e) {
    if (e instanceof SieveSyntaxError || e instanceof SieveRuntimeError) {
      return { actions: [{ type: 'keep', flags: [], implicit: true }], error: e };
    }
    throw e;
  }
}

class StopSignal {}
class ReturnSignal {}
class BreakSignal {
  constructor(readonly name: string | undefined) {}
}

interface Frame {
  script: CompiledScript;
  locals: Map<string, string>;
  globalNames: Set<string>;
  matchVars: string[];
}

type Options = typeof DEFAULTS & RunOptions;

class Execution {
  private readonly actions: SieveAction[] = [];
  private implicitKeep = true;
  private flags: string[] = [];
  private readonly globals = new Map<string, string>();
  private steps = 0;
  private redirects = 0;
  private notifications = 0;
  /** The foreverypart loops' current MIME parts, innermost last. */
  private readonly parts: MimePart[] = [];
  private vacationDone = false;
  private readonly includeStack: string[] = [];
  private readonly includedOnce = new Set<string>();
  private includeCount = 0;
  private readonly scripts = new Map<string, CompiledScript>();
  private readonly headers: HeaderView;

  constructor(
    private readonly ctx: SieveMessageContext,
    private readonly opts: Options,
  ) {
    this.headers = new HeaderView(ctx);
  }

  private readonly tick = (units = 1) => {
    this.steps += units;
    if (this.steps > this.opts.maxSteps) {
      throw new SieveRuntimeError(`script exceeded its budget of ${this.opts.maxSteps} steps`);
    }
  };

  run(script: CompiledScript): SieveAction[] {
    try {
      this.runScript(script);
    } catch (e) {
      if (!(e instanceof StopSignal)) throw e;
    }
    const has = (t: SieveAction['type']) => this.actions.some((a) => a.type === t);
    if (has('reject') && (has('keep') || has('fileinto') || has('redirect'))) {
      throw new SieveRuntimeError('reject cannot be combined with keep, fileinto or redirect');
    }
    if (has('reject') && has('vacation'))
      throw new SieveRuntimeError('reject cannot be combined with vacation');
    if (this.implicitKeep) this.actions.push({ type: 'keep', flags: [...this.flags], implicit: true });
    return this.actions;
  }

  private runScript(script: CompiledScript) {
    const frame: Frame = { script, locals: new Map(), globalNames: new Set(), matchVars: [] };
    try {
      this.block(script.commands, frame);
    } catch (e) {
      if (!(e instanceof ReturnSignal)) throw e;
    }
  }

  private block(cmds: Node[], f: Frame) {
    for (const c of cmds) this.command(c, f);
  }

  // ---- strings and variables ----

  private str(v: Value | true | undefined, f: Frame): string {
    const s = String(v ?? '');
    if (!f.script.extensions.has('variables')) return s;
    return expandVariables(s, (name) => this.getVar(name, f), this.opts.maxVariableLength);
  }

  /** A string list argument; without variables the compiled constant itself, not a copy. */
  private list(v: Value | true | undefined, f: Frame): readonly string[] {
    if (v === undefined || v === true) return [];
    const items = Array.isArray(v) ? v : singleton(String(v));
    return f.script.extensions.has('variables') ? items.map((s) => this.str(s, f)) : items;
  }

  private getVar(name: string, f: Frame): string {
    if (/^[0-9]+$/.test(name)) return f.matchVars[Number(name)] ?? '';
    if (name.startsWith('global.')) return this.globals.get(name.slice(7)) ?? '';
    if (name.includes('.')) return '';
    return (f.globalNames.has(name) ? this.globals : f.locals).get(name) ?? '';
  }

  private setVar(name: string, value: string, f: Frame) {
    const key = name.toLowerCase();
    const v = value.slice(0, this.opts.maxVariableLength);
    if (key.startsWith('global.')) this.globals.set(key.slice(7), v);
    else (f.globalNames.has(key) ? this.globals : f.locals).set(key, v);
  }

  private match(t: Node, values: readonly string[], keys: readonly string[], f: Frame): boolean {
    let r;
    try {
      r = matchValues(t.match as MatchSpec, values, keys, this.tick);
    } catch (e) {
      if (e instanceof RegexError)
        throw new SieveRuntimeError(`bad regular expression: ${e.message}`, t.line);
      throw e;
    }
    if (r.matched && r.captures && f.script.extensions.has('variables')) f.matchVars = r.captures;
    return r.matched;
  }

  // ---- tests ----

  private test(t: Node, f: Frame): boolean {
    this.tick();
    const { tags, args } = t;
    switch (t.name) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'not':
        return !this.test(t.tests[0]!, f);
      case 'allof':
        for (const x of t.tests) if (!this.test(x, f)) return false;
        return true;
      case 'anyof':
        for (const x of t.tests) if (this.test(x, f)) return true;
        return false;
      case 'size':
        return tags.over !== undefined
          ? this.ctx.size > (tags.over as number)
          : this.ctx.size < (tags.under as number);
      case 'exists': {
        const names = this.list(args[0], f);
        if (tags.mime) return this.mimeParts(t).some((p) => names.every((h) => p.header(h).length > 0));
        return names.every((h) => this.headers.get(h).length > 0);
      }
      case 'header': {
        const names = this.list(args[0], f);
        const values =
          names.length === 1 ? this.fields(names[0]!, t) : names.flatMap((h) => this.fields(h, t));
        return this.match(t, this.mimeOption(values, t, f), this.list(args[1], f), f);
      }
      case 'address': {
        const part = this.addressPartOf(t);
        const values: string[] = [];
        for (const h of this.list(args[0], f)) {
          for (const v of this.fields(h, t)) {
            for (const a of parseAddressList(v)) {
              const p = addressPart(a, part, this.opts.subaddressSeparator);
              if (p !== undefined) values.push(p);
            }
          }
        }
        return this.match(t, values, this.list(args[1], f), f);
      }
      case 'envelope': {
        const part = this.addressPartOf(t);
        const values: string[] = [];
        for (const which of this.list(args[0], f)) {
          const w = which.toLowerCase();
          const addr = w === 'from' ? this.ctx.envelope.from : w === 'to' ? this.ctx.envelope.to : undefined;
          if (addr === undefined) continue;
          const p = addr === '' ? '' : addressPart(addr, part, this.opts.subaddressSeparator);
          if (p !== undefined) values.push(p);
        }
        return this.match(t, values, this.list(args[1], f), f);
      }
      case 'body':
        return this.match(t, this.bodyValues(t, f), this.list(args[0], f), f);
      case 'string': {
        let values = this.list(args[0], f);
        if (t.match?.type === 'count') values = values.filter((v) => v !== '');
        return this.match(t, values, this.list(args[1], f), f);
      }
      case 'hasflag': {
        const flags =
          args.length === 2
            ? this.list(args[0], f).flatMap((v) => splitFlags(this.getVar(v.toLowerCase(), f)))
            : this.flags;
        return this.match(t, flags, this.list(args[args.length - 1], f), f);
      }
      case 'date': {
        const raw = this.indexed(this.headers.get(this.str(args[0], f)), t)[0];
        const parsed =
          raw === undefined
            ? undefined
            : (parseMessageDate(raw) ?? parseMessageDate(raw.slice(raw.lastIndexOf(';') + 1)));
        if (!parsed) return false;
        const d = tags.originalzone ? parsed : this.inZone(parsed.utc, t, f);
        return this.match(t, [datePart(d, this.str(args[1], f))], this.list(args[2], f), f);
      }
      case 'currentdate': {
        const d = this.inZone(this.ctx.now.getTime(), t, f);
        return this.match(t, [datePart(d, this.str(args[0], f))], this.list(args[1], f), f);
      }
      case 'mailboxexists':
        return this.list(args[0], f).every((m) => this.ctx.mailboxExists(m));
      case 'environment': {
        const value = this.ctx.environment[this.str(args[0], f).toLowerCase()];
        return this.match(t, value === undefined ? [] : [value], this.list(args[1], f), f);
      }
      case 'duplicate':
        return this.duplicate(t, f);
      case 'spamtest': {
        // RFC 5235 scales, rounded as Pigeonhole does: "0" untested, then 1–10 or 0–100 %.
        const ratio = this.ctx.spamRatio();
        const value =
          ratio === undefined ? 0 : Math.floor(tags.percent ? ratio * 100 + 0.001 : ratio * 9 + 1.001);
        return this.match(t, [String(value)], this.list(args[0], f), f);
      }
      case 'virustest': {
        const v = this.ctx.virusVerdict();
        return this.match(
          t,
          [v === undefined ? '0' : String(clamp(Math.round(v), 1, 5))],
          this.list(args[0], f),
          f,
        );
      }
      case 'valid_notify_method': {
        const uris = this.list(args[0], f);
        return uris.length > 0 && uris.every((u) => !notifyMethodProblem(u));
      }
      case 'notify_method_capability': {
        const values = notifyCapability(this.str(args[0], f), this.str(args[1], f));
        return this.match(t, values, this.list(args[2], f), f);
      }
      default:
        throw new SieveRuntimeError(`test "${t.name}" is not implemented`, t.line);
    }
  }

  /** The named header fields the test sees: the message's, or with :mime its current MIME part's. */
  private fields(name: string, t: Node): readonly string[] {
    if (!t.tags.mime) return this.indexed(this.headers.get(name), t);
    return this.mimeParts(t).flatMap((p) => this.indexed(p.header(name), t));
  }

  /** The part a :mime test looks at (the innermost foreverypart's, or the message), and with :anychild all below it. */
  private mimeParts(t: Node): MimePart[] {
    const current = this.parts[this.parts.length - 1] ?? this.ctx.mimeTree();
    return t.tags.anychild ? [current, ...descendants(current)] : [current];
  }

  /** RFC 5703 §4.2: :type, :subtype, :contenttype and :param pick from a Content-Type-like value. */
  private mimeOption(values: readonly string[], t: Node, f: Frame): readonly string[] {
    const { tags } = t;
    if (!tags.type && !tags.subtype && !tags.contenttype && tags.param === undefined) return values;
    const names = tags.param !== undefined ? this.list(tags.param, f).map((n) => n.toLowerCase()) : [];
    return values.flatMap((v) => {
      const parsed = libmime.parseHeaderValue(v);
      const value = parsed.value.trim();
      const slash = value.indexOf('/');
      if (tags.type) return [slash < 0 ? value : value.slice(0, slash)];
      if (tags.subtype) return slash < 0 ? [] : [value.slice(slash + 1)];
      if (tags.contenttype) return [value];
      return names.flatMap((n) => (parsed.params[n] !== undefined ? [parsed.params[n]] : []));
    });
  }

  private addressPartOf(t: Node): AddressPart {
    return (['localpart', 'domain', 'user', 'detail'] as const).find((p) => p in t.tags) ?? 'all';
  }

  /** RFC 5260 §6 :index/:last: only the n-th field (counted from the end with :last). */
  private indexed(values: readonly string[], t: Node): readonly string[] {
    const n = t.tags.index;
    if (typeof n !== 'number' || t.name === 'deleteheader') return values;
    const v = values[t.tags.last ? values.length - n : n - 1];
    return v === undefined ? [] : [v];
  }

  private inZone(utc: number, t: Node, f: Frame): ZonedDate {
    if (t.tags.zone !== undefined) {
      const z = parseZone(this.str(t.tags.zone, f));
      if (z === undefined) throw new SieveRuntimeError(`bad time zone "${String(t.tags.zone)}"`, t.line);
      return { utc, offset: z };
    }
    const offset = this.ctx.zoneOffset ?? -new Date(utc).getTimezoneOffset();
    return { utc, offset };
  }

  private bodyValues(t: Node, f: Frame): string[] {
    if (t.tags.raw) return [this.ctx.rawBody()];
    const parts = this.ctx.bodyParts();
    if (t.tags.content !== undefined) {
      const types = this.list(t.tags.content, f).map((s) => s.toLowerCase());
      return parts
        .filter((p) =>
          types.some(
            (ty) =>
              ty === '' || ty === p.contentType || (!ty.includes('/') && p.contentType.startsWith(`${ty}/`)),
          ),
        )
        .map((p) => p.text);
    }
    return parts
      .filter((p) => p.contentType.startsWith('text/'))
      .map((p) => (p.contentType === 'text/html' ? htmlToText(p.text) : p.text));
  }

  private duplicate(t: Node, f: Frame): boolean {
    const { tags } = t;
    let id: string | undefined;
    if (tags.uniqueid !== undefined) id = this.str(tags.uniqueid, f);
    else
      id = this.headers.get(tags.header !== undefined ? this.str(tags.header, f) : 'message-id')[0]?.trim();
    if (!id) return false;
    const handle = tags.handle !== undefined ? this.str(tags.handle, f) : '';
    const seconds = clamp(
      (tags.seconds as number | undefined) ?? this.opts.duplicateDefaultSeconds,
      0,
      this.opts.duplicateMaxSeconds,
    );
    return this.ctx.duplicate(`${handle}\0${id}`, seconds, tags.last === true);
  }

  // ---- commands ----

  private command(c: Node, f: Frame) {
    this.tick();
    const { tags, args } = c;
    switch (c.name) {
      case 'if': {
        for (const b of c.branches!) {
          if (this.test(b.test, f)) return this.block(b.block, f);
        }
        if (c.elseBlock) this.block(c.elseBlock, f);
        return;
      }
      case 'stop':
        throw new StopSignal();
      case 'return':
        throw new ReturnSignal();
      case 'keep':
        this.implicitKeep = false;
        return this.store({ type: 'keep', flags: this.flagsFor(c, f) });
      case 'discard':
        this.implicitKeep = false;
        if (!this.actions.some((a) => a.type === 'discard')) this.actions.push({ type: 'discard' });
        return;
      case 'fileinto': {
        const copy = tags.copy === true;
        if (!copy) this.implicitKeep = false;
        const mailbox = this.str(args[0], f);
        return this.store({
          type: 'fileinto',
          mailbox,
          flags: this.flagsFor(c, f),
          copy,
          create: tags.create === true,
        });
      }
      case 'redirect':
        return this.redirect(c, f);
      case 'reject':
      case 'ereject': {
        if (this.actions.some((a) => a.type === 'reject'))
          throw new SieveRuntimeError('more than one reject', c.line);
        this.implicitKeep = false;
        this.actions.push({ type: 'reject', reason: this.str(args[0], f), ereject: c.name === 'ereject' });
        return;
      }
      case 'vacation':
        return this.vacation(c, f);
      case 'set':
        return this.setVar(this.str(args[0], f), applyModifiers(this.str(args[1], f), tags), f);
      case 'setflag':
      case 'addflag':
      case 'removeflag':
        return this.editFlags(c, f);
      case 'addheader':
        return this.addHeader(c, f);
      case 'deleteheader':
        return this.deleteHeader(c, f);
      case 'include':
        return this.include(c, f);
      case 'global':
        for (const v of this.list(args[0], f)) f.globalNames.add(v.toLowerCase());
        return;
      case 'foreverypart':
        return this.forEveryPart(c, f);
      case 'break':
        throw new BreakSignal(tags.name as string | undefined);
      case 'extracttext':
        return this.extractText(c, f);
      case 'notify':
        return this.notify(c, f);
      default:
        throw new SieveRuntimeError(`command "${c.name}" is not implemented`, c.line);
    }
  }

  /** Adds keep/fileinto once per mailbox (RFC 5228 §2.10.3), joining the flags of repeats. */
  private store(a: Extract<SieveAction, { type: 'keep' | 'fileinto' }>) {
    const same = this.actions.find(
      (x) => x.type === a.type && (a.type === 'keep' || (x.type === 'fileinto' && x.mailbox === a.mailbox)),
    ) as typeof a | undefined;
    if (!same) return void this.actions.push(a);
    same.flags = joinFlags(same.flags, a.flags);
    if (same.type === 'fileinto' && a.type === 'fileinto') {
      same.copy &&= a.copy;
      same.create ||= a.create;
    }
  }

  private flagsFor(c: Node, f: Frame): string[] {
    return c.tags.flags !== undefined
      ? joinFlags([], this.list(c.tags.flags, f).flatMap(splitFlags))
      : [...this.flags];
  }

  private editFlags(c: Node, f: Frame) {
    const variable = c.args.length === 2 ? this.str(c.args[0], f).toLowerCase() : undefined;
    const current = variable === undefined ? this.flags : splitFlags(this.getVar(variable, f));
    const given = this.list(c.args[c.args.length - 1], f).flatMap(splitFlags);
    let next: string[];
    if (c.name === 'setflag') next = joinFlags([], given);
    else if (c.name === 'addflag') next = joinFlags(current, given);
    else {
      const drop = new Set(given.map((g) => g.toLowerCase()));
      next = current.filter((x) => !drop.has(x.toLowerCase()));
    }
    if (variable === undefined) this.flags = next;
    else this.setVar(variable, next.join(' '), f);
  }

  private redirect(c: Node, f: Frame) {
    const address = this.str(c.args[0], f)
      .trim()
      .replace(/^<(.*)>$/, '$1');
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address))
      throw new SieveRuntimeError(`redirect to an invalid address "${address}"`, c.line);
    const copy = c.tags.copy === true;
    if (!copy) this.implicitKeep = false;
    const same = this.actions.find(
      (a) => a.type === 'redirect' && a.address.toLowerCase() === address.toLowerCase(),
    );
    if (same) {
      if (same.type === 'redirect') same.copy &&= copy;
      return;
    }
    if (++this.redirects > this.opts.maxRedirects) {
      throw new SieveRuntimeError(`more than ${this.opts.maxRedirects} redirects`, c.line);
    }
    this.actions.push({ type: 'redirect', address, copy });
  }

  private vacation(c: Node, f: Frame) {
    const { tags } = c;
    if (this.vacationDone) throw new SieveRuntimeError('vacation used more than once', c.line);
    this.vacationDone = true;
    const env = this.ctx.envelope;
    const reason = this.str(c.args[0], f);
    const addresses = this.list(tags.addresses, f);
    const own = [env.to, env.originalRecipient, ...(this.ctx.userAddresses ?? []), ...addresses]
      .filter((a): a is string => !!a)
      .map((a) => a.toLowerCase());
    const period =
      tags.seconds !== undefined
        ? (tags.seconds as number)
        : tags.days !== undefined
          ? (tags.days as number) * DAY
          : this.opts.vacationDefaultSeconds;
    const seconds = clamp(period, this.opts.vacationMinSeconds, this.opts.vacationMaxSeconds);
    if (vacationRefusal(env.from, (h) => this.headers.get(h), own)) return;
    const subject = tags.subject !== undefined ? this.str(tags.subject, f) : undefined;
    const from = tags.from !== undefined ? this.str(tags.from, f) : undefined;
    // Pigeonhole's default handle, so a reply period survives a switch between the two servers.
    const handle =
      tags.handle !== undefined
        ? this.str(tags.handle, f)
        : `${reason}${subject ?? '<default-subject>'}${from ?? '<default-from>'}${tags.mime ? '<MIME>' : '<NO-MIME>'}`;
    if (this.ctx.vacationReplied(env.from, handle, seconds)) return;
    const inReplyTo = this.headers.get('message-id')[0]?.trim();
    this.actions.push({
      type: 'vacation',
      to: env.from,
      from: from ?? env.to,
      subject: subject ?? `Auto: ${this.headers.get('subject')[0] ?? ''}`,
      reason,
      mime: tags.mime === true,
      seconds,
      addresses: [...addresses],
      handle,
      ...(inReplyTo ? { inReplyTo } : {}),
    });
  }

  private addHeader(c: Node, f: Frame) {
    const name = this.str(c.args[0], f);
    const value = this.str(c.args[1], f);
    if (PROTECTED_HEADERS.has(name.toLowerCase())) return;
    const last = c.tags.last === true;
    this.headers.add(name, value, last);
    this.actions.push({ type: 'addheader', name, value, last });
  }

  private deleteHeader(c: Node, f: Frame) {
    const name = this.str(c.args[0], f);
    if (PROTECTED_HEADERS.has(name.toLowerCase())) return;
    const values = this.headers.get(name);
    let positions = values.map((_, i) => i);
    const n = c.tags.index;
    if (typeof n === 'number') {
      const p = c.tags.last ? values.length - n : n - 1;
      positions = positions.filter((i) => i === p);
    }
    if (c.args.length === 2) {
      const patterns = this.list(c.args[1], f);
      const spec = c.match!;
      positions = positions.filter((i) => matchValues(spec, [values[i]!], patterns, this.tick).matched);
    }
    if (!positions.length) return;
    this.headers.remove(name, positions);
    this.actions.push({ type: 'deleteheader', name, positions });
  }

  /**
   * RFC 5703 §3: the block runs once per MIME part, depth first; at the top level the message
   * itself comes first, a nested loop visits the parts below its enclosing loop's part.
   */
  private forEveryPart(c: Node, f: Frame) {
    const current = this.parts[this.parts.length - 1];
    const root = this.ctx.mimeTree();
    const list = current ? descendants(current) : [root, ...descendants(root)];
    for (const p of list) {
      this.tick();
      this.parts.push(p);
      try {
        this.block(c.block!, f);
      } catch (e) {
        if (e instanceof BreakSignal && (e.name === undefined || e.name === c.tags.name)) return;
        throw e;
      } finally {
        this.parts.pop();
      }
    }
  }

  /**
   * RFC 5703 §7: the current part's decoded content into a variable (HTML as text; other
   * non-text parts as their decoded bytes, as Pigeonhole does); :first counts characters.
   */
  private extractText(c: Node, f: Frame) {
    const part = this.parts[this.parts.length - 1]!;
    let text = part.contentType === 'text/html' ? htmlToText(part.text()) : part.text();
    this.tick(Math.ceil(text.length / 1024));
    if (typeof c.tags.first === 'number') text = Array.from(text).slice(0, c.tags.first).join('');
    this.setVar(this.str(c.args[0], f), applyModifiers(text, c.tags), f);
  }

  private notify(c: Node, f: Frame) {
    const { tags } = c;
    const method = this.str(c.args[0], f);
    const problem = notifyMethodProblem(method);
    if (problem) throw new SieveRuntimeError(problem, c.line);
    const importance = tags.importance !== undefined ? this.str(tags.importance, f) : '2';
    if (importance !== '1' && importance !== '2' && importance !== '3')
      throw new SieveRuntimeError(`:importance must be "1", "2" or "3", not "${importance}"`, c.line);
    const from = tags.from !== undefined ? this.str(tags.from, f) : undefined;
    if (from !== undefined && !isMailAddress(from))
      throw new SieveRuntimeError(`:from "${from}" is not a mail address`, c.line);
    // RFC 5436 §2.7: never notify about automatic mail, so two systems cannot loop.
    const auto = this.headers.get('auto-submitted')[0]?.trim().toLowerCase();
    if (auto && !auto.startsWith('no')) return;
    if (this.actions.some((a) => a.type === 'notify' && a.method === method)) return;
    if (++this.notifications > this.opts.maxNotifications)
      throw new SieveRuntimeError(`more than ${this.opts.maxNotifications} notifications`, c.line);
    this.actions.push({
      type: 'notify',
      method,
      ...(from !== undefined ? { from } : {}),
      importance,
      options: [...this.list(tags.options, f)],
      ...(tags.message !== undefined ? { message: this.str(tags.message, f) } : {}),
    });
  }

  private include(c: Node, f: Frame) {
    const name = this.str(c.args[0], f);
    const location = c.tags.global ? 'global' : 'personal';
    const key = `${location}:${name}`;
    if (c.tags.once && this.includedOnce.has(key)) return;
    if (this.includeStack.includes(key))
      throw new SieveRuntimeError(`include loop: "${name}" includes itself`, c.line);
    if (this.includeStack.length >= this.opts.maxIncludeDepth) {
      throw new SieveRuntimeError(`includes nested deeper than ${this.opts.maxIncludeDepth}`, c.line);
    }
    if (++this.includeCount > this.opts.maxIncludes)
      throw new SieveRuntimeError(`more than ${this.opts.maxIncludes} includes`, c.line);
    let script = this.scripts.get(key);
    if (!script) {
      const src = this.opts.loadScript?.(name, location);
      if (src === undefined) {
        if (c.tags.optional) return;
        throw new SieveRuntimeError(`included ${location} script "${name}" does not exist`, c.line);
      }
      script = typeof src === 'string' ? compileSieve(src, { ...this.opts.compile, name }) : src;
      this.scripts.set(key, script);
    }
    this.includedOnce.add(key);
    this.includeStack.push(key);
    this.runScript(script);
    this.includeStack.pop();
  }
}

const singletons = new Map<string, readonly string[]>();

/** One string as a list, shared: a rule-editor script asks for the same few per rule and message. */
function singleton(s: string): readonly string[] {
  let list = singletons.get(s);
  if (!list) {
    list = Object.freeze([s]);
    if (singletons.size >= 4096) singletons.clear();
    singletons.set(s, list);
  }
  return list;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(Math.max(n, min), max);
}

/** The parts below `p`, depth first, in order. */
function descendants(p: MimePart): MimePart[] {
  return p.children.flatMap((c) => [c, ...descendants(c)]);
}

function splitFlags(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

/** Union of flag lists, case-insensitively, keeping the first spelling (RFC 5232 §3). */
function joinFlags(a: string[], b: string[]): string[] {
  const out = [...a];
  for (const x of b) if (!out.some((y) => y.toLowerCase() === x.toLowerCase())) out.push(x);
  return out;
}

function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
