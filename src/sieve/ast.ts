/** The syntax tree of RFC 5228 §8.2, before any command is checked against its signature. */
export interface Position {
  line: number;
  column: number;
}

export type Argument =
  | ({ kind: 'string'; value: string } & Position)
  | ({ kind: 'stringlist'; values: string[] } & Position)
  | ({ kind: 'number'; value: number; text: string } & Position)
  | ({ kind: 'tag'; name: string } & Position);

export interface TestNode extends Position {
  name: string;
  args: Argument[];
  tests: TestNode[];
  /** Whether the tests were written as a parenthesised test list. */
  testList: boolean;
}

export interface CommandNode extends TestNode {
  /** undefined when the command ended with ";". */
  block?: CommandNode[];
}
