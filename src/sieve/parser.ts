import type { Argument, CommandNode, TestNode } from './ast.js';
import { SieveSyntaxError } from './errors.js';
import { defaultLexerLimits, tokenize, type LexerLimits, type Token } from './lexer.js';

export interface ParseLimits extends LexerLimits {
  /** Blocks, test lists and "not" nested deeper than this are an error (guards the stack). */
  maxNesting: number;
  maxListLength: number;
}

export const defaultParseLimits: ParseLimits = { ...defaultLexerLimits, maxNesting: 64, maxListLength: 1024 };

/** Parses the grammar of RFC 5228 §8.2 into commands; semantics are checked by `validate`. */
export function parseScript(src: string, limits: Partial<ParseLimits> = {}): CommandNode[] {
  const lim = { ...defaultParseLimits, ...limits };
  const tokens = tokenize(src, lim);
  let i = 0;
  const peek = (): Token => tokens[i]!;
  const next = (): Token => tokens[i++]!;
  const fail = (msg: string, t: Token = peek()): never => {
    throw new SieveSyntaxError(msg, t.line, t.column);
  };
  const describe = (t: Token) => (t.type === 'eof' ? 'end of script' : `"${t.text}"`);
  const expect = (type: Token['type'], what: string): Token => {
    const t = peek();
    if (t.type !== type) fail(`expected ${what} but found ${describe(t)}`);
    return next();
  };
  const checkDepth = (depth: number, t: Token) => {
    if (depth > lim.maxNesting) fail(`nesting deeper than ${lim.maxNesting} levels`, t);
  };

  const commands = parseCommands(0);
  if (peek().type !== 'eof') fail(`unexpected ${describe(peek())}`);
  return commands;

  function parseCommands(depth: number): CommandNode[] {
    const out: CommandNode[] = [];
    while (peek().type === 'identifier') out.push(parseCommand(depth));
    return out;
  }

  function parseCommand(depth: number): CommandNode {
    const id = next();
    const { args, tests, testList } = parseArguments(depth);
    const node: CommandNode = { name: id.text, line: id.line, column: id.column, args, tests, testList };
    const t = peek();
    if (t.type === ';') {
      next();
    } else if (t.type === '{') {
      checkDepth(depth + 1, t);
      next();
      node.block = parseCommands(depth + 1);
      expect('}', '"}" or a command');
    } else {
      fail(`expected ";" or "{" after command "${id.text}" but found ${describe(t)}`);
    }
    return node;
  }

  function parseArguments(depth: number): Pick<TestNode, 'args' | 'tests' | 'testList'> {
    const args: Argument[] = [];
    for (;;) {
      const t = peek();
      if (t.type === 'string') {
        next();
        args.push({ kind: 'string', value: t.text, line: t.line, column: t.column });
      } else if (t.type === 'number') {
        next();
        args.push({ kind: 'number', value: t.value!, text: t.text, line: t.line, column: t.column });
      } else if (t.type === 'tag') {
        next();
        args.push({ kind: 'tag', name: t.text, line: t.line, column: t.column });
      } else if (t.type === '[') {
        next();
        const values: string[] = [];
        for (;;) {
          values.push(expect('string', 'a string in the string list').text);
          if (values.length > lim.maxListLength) fail(`string list longer than ${lim.maxListLength}`);
          if (peek().type === ']') break;
          expect(',', '"," or "]"');
        }
        next();
        args.push({ kind: 'stringlist', values, line: t.line, column: t.column });
      } else {
        break;
      }
    }
    const t = peek();
    if (t.type === 'identifier') return { args, tests: [parseTest(depth + 1)], testList: false };
    if (t.type === '(') {
      checkDepth(depth + 1, t);
      next();
      const tests: TestNode[] = [];
      for (;;) {
        if (peek().type !== 'identifier') fail(`expected a test but found ${describe(peek())}`);
        tests.push(parseTest(depth + 1));
        if (tests.length > lim.maxListLength) fail(`test list longer than ${lim.maxListLength}`);
        if (peek().type === ')') break;
        expect(',', '"," or ")"');
      }
      next();
      return { args, tests, testList: true };
    }
    return { args, tests: [], testList: false };
  }

  function parseTest(depth: number): TestNode {
    const id = peek();
    checkDepth(depth, id);
    next();
    const { args, tests, testList } = parseArguments(depth);
    return { name: id.text, line: id.line, column: id.column, args, tests, testList };
  }
}
