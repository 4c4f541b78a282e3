/**
 * Address patterns of the MTA blacklists: `*` matches any run of characters, everything else
 * itself, case-insensitively over the whole address (`*@*.ru`, `spammer@*`, `*@example.com`).
 */
export function compilePattern(pattern: string): RegExp {
  const body = pattern
    .trim()
    .split('*')
    .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}

export function cachedPatterns(read: () => readonly string[]): () => (address: string) => boolean {
  let key: string | undefined;
  let res: RegExp[] = [];
  return () => {
    const list = read();
    const k = list.join('\n');
    if (k !== key) {
      res = list.filter((p) => p.trim()).map(compilePattern);
      key = k;
    }
    return (address: string) => res.some((r) => r.test(address));
  };
}
