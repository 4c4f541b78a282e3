import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AuthError, AuthLockedError } from '../../src/directory/directory.js';
import { forEachBackend } from '../store/backends.js';
import { manualClock, openDirectory } from './support.js';

const SETTINGS = {
  'auth.account_max_failures': '3',
  'auth.ip_max_failures': '5',
  'auth.lockout_time': '10s',
  'auth.max_lockout_time': '30s',
  'auth.failure_window': '5m',
};
const IMAP = (ip: string | null = '192.0.2.1') => ({ ip, protocol: 'imap' });

async function setup(backend: Parameters<typeof openDirectory>[0]) {
  const clock = manualClock();
  const t = await openDirectory(backend, { clock, settings: SETTINGS });
  await t.directory.addDomain({ name: 'example.com' });
  await t.directory.addDomain({ name: 'example.net', aliasOf: 'example.com' });
  await t.directory.addAccount({ address: 'alice@example.com', password: 'right' });
  return { ...t, clock };
}

async function failsWith(p: Promise<unknown>, reason: string): Promise<AuthError> {
  let err: unknown;
  await p.then(
    () => assert.fail('login succeeded'),
    (e: unknown) => (err = e),
  );
  assert.ok(err instanceof AuthError, String(err));
  assert.equal(err.reason, reason);
  return err;
}

forEachBackend('authentication', (backend) => {
  it('accepts the password at the address or a domain-alias address, and nothing else', async () => {
    const { directory: d, logs, metrics } = await setup(backend);
    assert.equal((await d.authenticate('alice@example.com', 'right', IMAP())).address, 'alice@example.com');
    assert.equal((await d.authenticate('Alice@Example.NET', 'right', IMAP())).address, 'alice@example.com');
    const e = await failsWith(d.authenticate('alice@example.com', 'wrong', IMAP()), 'bad-password');
    assert.equal(e.message, 'authentication failed');
    assert.deepEqual(
      [e.smtp, e.imap],
      [
        { code: 535, enhanced: '5.7.8' },
        { status: 'NO', code: 'AUTHENTICATIONFAILED' },
      ],
    );
    await failsWith(
      d.authenticate('nobody@example.com', 'right', { ip: '192.0.2.2', protocol: 'smtp' }),
      'unknown-user',
    );
    await d.setEnabled('alice@example.com', false);
    await failsWith(d.authenticate('alice@example.com', 'right', IMAP(null)), 'disabled');
    const failed = logs
      .filter((l) => l.event === 'auth_failed')
      .map((l) => [l.user, l.ip, l.protocol, l.reason, l.level]);
    assert.deepEqual(failed, [
      ['alice@example.com', '192.0.2.1', 'imap', 'bad-password', 40],
      ['nobody@example.com', '192.0.2.2', 'smtp', 'unknown-user', 40],
      ['alice@example.com', null, 'imap', 'disabled', 40],
    ]);
    const metric = await metrics.registry.getSingleMetricAsString('mailstead_auth_failures_total');
    assert.match(metric, /mailstead_auth_failures_total\{protocol="imap",reason="bad-password"\} 1/);
    assert.match(metric, /mailstead_auth_failures_total\{protocol="smtp",reason="unknown-user"\} 1/);
  });

  it('locks an account out after repeated failures without checking the password, doubling each time', async () => {
    const { directory: d, clock, logs } = await setup(backend);
    const lockouts: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3; i++)
        await failsWith(
          d.authenticate('alice@example.com', 'wrong', IMAP(`198.51.100.${round * 3 + i}`)),
          'bad-password',
        );
      const e = await failsWith(
        d.authenticate('alice@example.net', 'right', IMAP('203.0.113.9')),
        'locked-out',
      );
      assert.ok(e instanceof AuthLockedError);
      assert.deepEqual(
        [e.smtp, e.imap],
        [
          { code: 454, enhanced: '4.7.0' },
          { status: 'NO', code: 'UNAVAILABLE' },
        ],
      );
      lockouts.push(e.retryAfterMs);
      clock.advance(e.retryAfterMs);
    }
    assert.deepEqual(lockouts, [10_000, 20_000, 30_000, 30_000]);
    assert.equal((await d.authenticate('alice@example.com', 'right', IMAP())).address, 'alice@example.com');
    assert.equal(logs.filter((l) => l.event === 'auth_failed' && l.reason === 'locked-out').length, 4);
    assert.equal(logs.filter((l) => l.event === 'auth_lockout' && l.kind === 'account').length, 4);
    // The success reset the back-off: the next lockout is the first length again.
    for (let i = 0; i < 3; i++)
      await failsWith(d.authenticate('alice@example.com', 'wrong', IMAP()), 'bad-password');
    assert.equal(
      (await failsWith(d.authenticate('alice@example.com', 'right', IMAP()), 'locked-out')) instanceof
        AuthLockedError,
      true,
    );
    assert.equal(
      (
        (await failsWith(
          d.authenticate('alice@example.com', 'right', IMAP()),
          'locked-out',
        )) as AuthLockedError
      ).retryAfterMs,
      10_000,
    );
  });

  it('locks a client IP out across accounts, and other IPs stay free', async () => {
    const { directory: d, clock } = await setup(backend);
    for (let i = 0; i < 5; i++)
      await failsWith(d.authenticate(`guess${i}@example.com`, 'pw', IMAP('192.0.2.66')), 'unknown-user');
    await failsWith(d.authenticate('alice@example.com', 'right', IMAP('192.0.2.66')), 'locked-out');
    assert.equal(
      (await d.authenticate('alice@example.com', 'right', IMAP('192.0.2.1'))).address,
      'alice@example.com',
    );
    clock.advance(10_000);
    assert.equal(
      (await d.authenticate('alice@example.com', 'right', IMAP('192.0.2.66'))).address,
      'alice@example.com',
    );
  });

  it('keeps a name being guessed locked when another process creates it', async () => {
    const { directory: d, other } = await setup(backend);
    for (let i = 0; i < 3; i++)
      await failsWith(d.authenticate('bob@example.com', 'guess', IMAP(`198.51.100.${i}`)), 'unknown-user');
    await other().addAccount({ address: 'bob@example.com', password: 'right' });
    await failsWith(d.authenticate('bob@example.com', 'right', IMAP()), 'locked-out');
    // …and a password changed by the CLI applies at the next login.
    await other().setPassword('alice@example.com', 'changed');
    await failsWith(d.authenticate('alice@example.com', 'right', IMAP()), 'bad-password');
    assert.equal((await d.authenticate('alice@example.com', 'changed', IMAP())).address, 'alice@example.com');
  });

  it('reuses a recent verification for the same password only, until the ttl or a password change', async () => {
    const { directory: d, clock, metrics, other } = await setup(backend);
    const lookups = async () => {
      const m = await metrics.registry.getSingleMetricAsString('mailstead_auth_cache_total');
      return [/result="hit"\} (\d+)/, /result="miss"\} (\d+)/].map((re) => Number(re.exec(m)?.[1] ?? 0));
    };
    const ok = async (pw: string) =>
      assert.equal((await d.authenticate('alice@example.com', pw, IMAP())).address, 'alice@example.com');
    await ok('right');
    await ok('right');
    await ok('right');
    assert.deepEqual(await lookups(), [2, 1]);
    // A wrong password is checked in full and counted against the account as before.
    await failsWith(d.authenticate('alice@example.com', 'Right', IMAP()), 'bad-password');
    await failsWith(d.authenticate('alice@example.com', 'right ', IMAP()), 'bad-password');
    await ok('right');
    assert.deepEqual(await lookups(), [3, 1]);
    // The entry lives for auth.cache_ttl (1 hour by default) from its verification.
    clock.advance(60 * 60_000);
    await ok('right');
    assert.deepEqual(await lookups(), [3, 2]);
    // Another process changes the password: the new stored hash never matches the old entry.
    await other().setPassword('alice@example.com', 'changed');
    await failsWith(d.authenticate('alice@example.com', 'right', IMAP()), 'bad-password');
    await ok('changed');
    await ok('changed');
    assert.deepEqual(await lookups(), [4, 3]);
    // Disabling is checked at every login, cached or not.
    await other().setEnabled('alice@example.com', false);
    await failsWith(d.authenticate('alice@example.com', 'changed', IMAP()), 'disabled');
  });

  it('checks every password in full with auth.cache_ttl 0', async () => {
    const clock = manualClock();
    const { directory: d, metrics } = await openDirectory(backend, {
      clock,
      settings: { ...SETTINGS, 'auth.cache_ttl': '0s' },
    });
    await d.addDomain({ name: 'example.com' });
    await d.addAccount({ address: 'carol@example.com', password: 'pw-carol' });
    for (let i = 0; i < 3; i++) await d.authenticate('carol@example.com', 'pw-carol', IMAP());
    const m = await metrics.registry.getSingleMetricAsString('mailstead_auth_cache_total');
    assert.match(m, /result="miss"\} 3/);
    assert.doesNotMatch(m, /result="hit"/);
  });
});
