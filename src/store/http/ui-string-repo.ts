import type { SqlDb } from '../sql.js';

export async function uiOverrides(db: SqlDb, locale: string): Promise<Record<string, string>> {
  const rows = await db.all<{ key: string; value: string }>(
    'SELECT key, value FROM ui_strings WHERE locale = ? ORDER BY key',
    [locale],
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function putUiOverride(db: SqlDb, locale: string, key: string, value: string): Promise<void> {
  await db.tx(async (t) => {
    await t.run('DELETE FROM ui_strings WHERE locale = ? AND key = ?', [locale, key]);
    await t.run('INSERT INTO ui_strings (locale, key, value) VALUES (?, ?, ?)', [locale, key, value]);
  });
}

export async function deleteUiOverride(db: SqlDb, locale: string, key: string): Promise<boolean> {
  return (await db.run('DELETE FROM ui_strings WHERE locale = ? AND key = ?', [locale, key])).changes > 0;
}
