import type { Argument, CommandNode, Position, TestNode } from './ast.js';
import { decodeEncodedCharacters } from './encoded-character.js';
import { SieveSyntaxError } from './errors.js';
import {
  COMPARATORS,
  comparatorSupports,
  RELATIONS,
  type Comparator,
  type MatchSpec,
  type Relation,
} from './match.js';
import { parseScript, type ParseLimits } from './parser.js';
import { compileRegex, RegexError } from './regex.js';
import {
  EXTENSIONS,
  MATCH_TAGS,
  SIGNATURES,
  type ArgType,
  type Extension,
  type Signature,
  type TagSpec,
} from './signatures.js';
import { DATE_PARTS } from './date.js';
import { isMailAddress, notifyMethodProblem } from './notify-method.js';

export type Value = string | string[] | number;

/** A command or test whose arguments were checked against its signature. */
export interface Node extends Position {
  name: string;
  tags: Record<string, Value | true>;
  args: Value[];
  tests: Node[];
  block?: Node[];
  /** For "if": the if/elsif branches in order, and the else block. */
  branches?: { test: Node; block: Node[] }[];
  elseBlock?: Node[];
  match?: MatchSpec;
}

export interface CompiledScript {
  name: string;
  commands: Node[];
  extensions: ReadonlySet<Extension>;
}

export interface CompileOptions {
  name?: string;
  limits?: Partial<ParseLimits>;
  /** Extensions a script may require; defaults to all this engine implements. */
  allowedExtensions?: readonly Extension[];
}

const VARIABLE_NAME = /^(?:global\.)?[A-Za-z_][A-Za-z0-9_]*$/;
const ZONE = /^[+-](?:[01][0-9]|2[0-3])[0-5][0-9]$/;
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** Parses and validates a script: the one entry point that turns text into something runnable. */
export function compileSieve(src: string, opts: CompileOptions = {}): CompiledScript {
  const name = opts.name ?? 'script';
  try {
    return validate(parseScript(src, opts.limits), { ...opts, name });
  } catch (e) {
    if (e instanceof SieveSyntaxError && !e.script && opts.name) {
      throw new SieveSyntaxError(
        e.message.replace(/^line \d+, column \d+: /, ''),
        e.line,
        e.column,
        opts.name,
      );
    }
    throw e;
  }
}

export function validate(ast: CommandNode[], opts: CompileOptions & { name: string }): CompiledScript {
  const allowed = new Set<string>(opts.allowedExtensions ?? EXTENSIONS);
  const exts = new Set<Extension>();
  let i = 0;
  for (; i < ast.length && ast[i]!.name === 'require'; i++) {
    const req = ast[i]!;
    if (req.block || req.tests.length) fail(req, 'require takes only a string list');
    const [arg] = req.args;
    if (req.args.length !== 1 || !arg || (arg.kind !== 'string' && arg.kind !== 'stringlist')) {
      fail(req, 'require takes one string list of extension names');
    }
    for (const ext of arg.kind === 'string' ? [arg.value] : arg.values) {
      if (!allowed.has(ext)) fail(req, `unknown extension "${ext}" in require`);
      exts.add(ext as Extension);
    }
  }
  if (exts.has('vacation-seconds')) exts.add('vacation');
  if (exts.has('spamtestplus')) exts.add('spamtest');
  /** Names of the foreverypart loops around the command being checked (undefined: unnamed). */
  const loops: (string | undefined)[] = [];
  const has = (e: Extension) => exts.has(e);
  const strings = (s: string, at: Position) =>
    has('encoded-character') ? decodeEncodedCharacters(s, at) : s;

  const commands = block(ast.slice(i), false);
  return { name: opts.name, commands, extensions: exts };

  function fail(at: Position, msg: string): never {
    throw new SieveSyntaxError(msg, at.line, at.column);
  }

  function needExt(at: Position, what: string, list: Extension[] | undefined) {
    if (list && !list.some(has)) {
      fail(at, `${what} requires the "${list[0]}" extension (add require "${list[0]}")`);
    }
  }

  function block(cmds: CommandNode[], nested: boolean): Node[] {
    const out: Node[] = [];
    for (let k = 0; k < cmds.length; k++) {
      const c = cmds[k]!;
      if (c.name === 'require')
        fail(
          c,
          nested ? 'require is only allowed at the top level' : 'require must come before any other command',
        );
      if (c.name === 'elsif' || c.name === 'else') fail(c, `"${c.name}" without a preceding "if"`);
      const node = check(c, 'command');
      if (c.name === 'if') {
        node.branches = [{ test: node.tests[0]!, block: node.block! }];
        while (cmds[k + 1]?.name === 'elsif') {
          const e = check(cmds[++k]!, 'command');
          node.branches.push({ test: e.tests[0]!, block: e.block! });
        }
        if (cmds[k + 1]?.name === 'else') node.elseBlock = check(cmds[++k]!, 'command').block!;
      }
      out.push(node);
    }
    return out;
  }

  function check(n: TestNode & { block?: CommandNode[] }, kind: 'command' | 'test'): Node {
    const sig: Signature | undefined = SIGNATURES[n.name];
    if (!sig || sig.kind !== kind) fail(n, `unknown ${kind} "${n.name}"`);
    needExt(n, `"${n.name}"`, sig.ext);
    if (n.name === 'global') needExt(n, '"global"', ['variables']);

    const tags: Record<string, Value | true> = {};
    const groups = new Map<string, string>();
    const args: Value[] = [];
    const specs: Record<string, TagSpec> = { ...(sig.match ? MATCH_TAGS : {}), ...sig.tags };
    const raw = n.args;
    for (let k = 0; k < raw.length; k++) {
      const a = raw[k]!;
      if (a.kind !== 'tag') {
        args.push(value(a));
        continue;
      }
      if (args.length) fail(a, `tag :${a.name} must come before the positional arguments of "${n.name}"`);
      const spec = specs[a.name];
      if (!spec) fail(a, `unknown tag :${a.name} for "${n.name}"`);
      needExt(a, `:${a.name}`, spec.ext);
      if (a.name in tags) fail(a, `tag :${a.name} given twice`);
      if (spec.group) {
        const other = groups.get(spec.group);
        if (other) fail(a, `tags :${other} and :${a.name} cannot be used together`);
        groups.set(spec.group, a.name);
      }
      if (spec.arg) {
        const next = raw[++k];
        if (!next || next.kind === 'tag' || !fits(next, spec.arg))
          fail(a, `tag :${a.name} needs a ${describe(spec.arg)} argument`);
        tags[a.name] = value(next);
      } else {
        tags[a.name] = true;
      }
    }
    checkPositional(n, sig, args);

    if (sig.tests === 'one' && (n.tests.length !== 1 || n.testList))
      fail(n, `"${n.name}" needs exactly one test`);
    if (sig.tests === 'list' && (!n.testList || !n.tests.length))
      fail(n, `"${n.name}" needs a test list in parentheses`);
    if (!sig.tests && n.tests.length) fail(n.tests[0]!, `"${n.name}" takes no test`);
    if (sig.block && !n.block) fail(n, `"${n.name}" needs a block`);
    if (!sig.block && n.block) fail(n, `"${n.name}" cannot have a block`);

    const node: Node = {
      name: n.name,
      line: n.line,
      column: n.column,
      tags,
      args,
      tests: n.tests.map((t) => check(t, 'test')),
    };
    if (n.name === 'foreverypart') loops.push(tags.name as string | undefined);
    if (n.block) node.block = block(n.block, true);
    if (n.name === 'foreverypart') loops.pop();
    if (sig.match) node.match = matchSpec(n, tags);
    semantic(node);
    return node;
  }

  function checkPositional(n: Position & { name: string }, sig: Signature, args: Value[]) {
    const min = sig.args.length - (sig.optionalArgs ?? 0);
    if (args.length < min || args.length > sig.args.length) {
      fail(
        n,
        `"${n.name}" takes ${min === sig.args.length ? min : `${min} to ${sig.args.length}`} positional arguments, got ${args.length}`,
      );
    }
    const types = sig.optional === 'leading' ? sig.args.slice(sig.args.length - args.length) : sig.args;
    args.forEach((v, k) => {
      const t = types[k]!;
      const ok =
        t === 'number'
          ? typeof v === 'number'
          : t === 'string'
            ? typeof v === 'string'
            : typeof v !== 'number';
      if (!ok) fail(n, `argument ${k + 1} of "${n.name}" must be a ${describe(t)}`);
    });
  }

  function value(a: Exclude<Argument, { kind: 'tag' }>): Value {
    if (a.kind === 'number') return a.value;
    if (a.kind === 'string') return strings(a.value, a);
    return a.values.map((v) => strings(v, a));
  }

  function matchSpec(n: Position, tags: Record<string, Value | true>): MatchSpec {
    const cmp = (tags.comparator as string | undefined) ?? 'i;ascii-casemap';
    if (!COMPARATORS.includes(cmp as Comparator)) fail(n, `unknown comparator "${cmp}"`);
    if (cmp === 'i;ascii-numeric') needExt(n, 'comparator "i;ascii-numeric"', ['comparator-i;ascii-numeric']);
    const type =
      (['is', 'contains', 'matches', 'regex', 'value', 'count'] as const).find((t) => t in tags) ?? 'is';
    if (!comparatorSupports(cmp as Comparator, type))
      fail(n, `comparator "${cmp}" does not support :${type}`);
    const spec: MatchSpec = { type, comparator: cmp as Comparator };
    if (type === 'value' || type === 'count') {
      const rel = String(tags[type]).toLowerCase();
      if (!RELATIONS.includes(rel as Relation))
        fail(n, `unknown relation "${rel}" (use gt, ge, lt, le, eq or ne)`);
      spec.relation = rel as Relation;
    }
    return spec;
  }

  function constant(s: string): boolean {
    return !has('variables') || !s.includes('${');
  }

  function semantic(node: Node) {
    const { name, tags, args } = node;
    if (node.match?.type === 'regex') {
      const keys = args[args.length - 1];
      for (const k of typeof keys === 'string' ? [keys] : Array.isArray(keys) ? keys : []) {
        if (!constant(k)) continue;
        try {
          compileRegex(k);
        } catch (e) {
          if (e instanceof RegexError) fail(node, `bad regular expression "${k}": ${e.message}`);
          throw e;
        }
      }
    }
    if ('last' in tags && !('index' in tags) && name !== 'addheader' && name !== 'duplicate')
      fail(node, ':last needs :index');
    if (typeof tags.index === 'number' && tags.index < 1) fail(node, ':index must be 1 or more');
    if (typeof tags.zone === 'string' && !ZONE.test(tags.zone))
      fail(node, `bad time zone "${tags.zone}" (use +hhmm or -hhmm)`);
    if (name === 'envelope') {
      for (const part of [args[0]].flat() as string[]) {
        if (constant(part) && !['from', 'to'].includes(part.toLowerCase()))
          fail(node, `unknown envelope part "${part}"`);
      }
    }
    if (name === 'date' || name === 'currentdate') {
      const part = args[args.length - 2] as string;
      if (constant(part) && !DATE_PARTS.includes(part.toLowerCase()))
        fail(node, `unknown date part "${part}"`);
    }
    if (name === 'set' && !VARIABLE_NAME.test(args[0] as string))
      fail(node, `bad variable name "${String(args[0])}"`);
    if (['setflag', 'addflag', 'removeflag', 'hasflag'].includes(name) && args.length === 2) {
      needExt(node, 'a flag variable', ['variables']);
      for (const v of [args[0]].flat() as string[])
        if (!VARIABLE_NAME.test(v)) fail(node, `bad variable name "${v}"`);
    }
    if (name === 'global') {
      for (const v of [args[0]].flat() as string[])
        if (!VARIABLE_NAME.test(v)) fail(node, `bad variable name "${v}"`);
    }
    if ((name === 'addheader' || name === 'deleteheader') && constant(args[0] as string)) {
      if (!FIELD_NAME.test(args[0] as string)) fail(node, `bad header field name "${String(args[0])}"`);
    }
    if (name === 'include' && !(args[0] as string)) fail(node, 'include needs a script name');
    if (
      ('anychild' in tags ||
        'type' in tags ||
        'subtype' in tags ||
        'contenttype' in tags ||
        'param' in tags) &&
      !tags.mime
    )
      fail(
        node,
        `:${['anychild', 'type', 'subtype', 'contenttype', 'param'].find((t) => t in tags)!} needs :mime`,
      );
    if (name === 'break') {
      if (!loops.length) fail(node, 'break outside foreverypart');
      if (tags.name !== undefined && !loops.includes(tags.name as string))
        fail(node, `break :name "${String(tags.name)}" names no enclosing foreverypart`);
    }
    if (name === 'extracttext') {
      needExt(node, '"extracttext"', ['variables']);
      needExt(node, '"extracttext"', ['foreverypart']);
      if (!loops.length) fail(node, 'extracttext outside foreverypart');
      if (!VARIABLE_NAME.test(args[0] as string)) fail(node, `bad variable name "${String(args[0])}"`);
    }
    if (name === 'notify') {
      const importance = tags.importance;
      if (typeof importance === 'string' && constant(importance) && !['1', '2', '3'].includes(importance))
        fail(node, `:importance must be "1", "2" or "3", not "${importance}"`);
      const method = args[0] as string;
      if (constant(method)) {
        const problem = notifyMethodProblem(method);
        if (problem) fail(node, problem);
      }
      if (typeof tags.from === 'string' && constant(tags.from) && !isMailAddress(tags.from))
        fail(node, `:from "${tags.from}" is not a mail address`);
    }
  }
}

function fits(a: Argument, t: ArgType): boolean {
  return t === 'number'
    ? a.kind === 'number'
    : t === 'string'
      ? a.kind === 'string'
      : a.kind === 'string' || a.kind === 'stringlist';
}

function describe(t: ArgType): string {
  return t === 'strings' ? 'string list' : t;
}
