declare module 'mailsplit' {
  /** mailsplit's header block parser (the part of its API Mailstead uses). */
  export class Headers {
    constructor(headers: Buffer | string);
    get(key: string): string[];
    getFirst(key: string): string;
  }
}
