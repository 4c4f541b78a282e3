import type { TokenReader } from './reader.js';

export interface LoginCommand {
  name: 'LOGIN';
  tag: string;
  username: string;
  password: string;
}

export function parseLogin(tag: string, r: TokenReader): LoginCommand {
  const username = r.astring('user name');
  const password = r.astring('password');
  r.end();
  return { name: 'LOGIN', tag, username, password };
}
