import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pino } from 'pino';
import { Directory } from '../../src/directory/directory.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { schemaComponents } from '../../src/store/components.js';
import { migrate } from '../../src/store/migrate.js';
import { forEachBackend } from '../store/backends.js';

forEachBackend('remembered recipients', (backend) => {
  /** A server's directory and a CLI's, each on a connection of its own to one store. */
  async function twoConnections() {
    const location = await backend.location();
    const serverDb = await backend.open(location);
    await migrate(serverDb, schemaComponents);
    const cliDb = await backend.open(location);
    const config = await backend.config();
    const directory = (db: typeof serverDb) =>
      new Directory(db, config, pino({ level: 'silent' }), new Metrics(false));
    return { server: directory(serverDb), cli: directory(cliDb), cliDb };
  }

  it('answers again from memory until a record it came from changes, here or elsewhere', async () => {
    const { server, cli, cliDb } = await twoConnections();
    await server.addDomain({ name: 'example.com' });
    await server.addAccount({ address: 'alice@example.com', password: 'x' });
    const first = await server.resolveRecipient('alice@example.com');
    assert.equal(await server.resolveRecipient('alice@example.com'), first, 'the same answer, from memory');
    assert.throws(() => {
      (first as { kind: string }).kind = 'remote';
    }, TypeError);

    // What every delivery writes is not part of a recipient and forgets nothing.
    await cliDb.run('UPDATE accounts SET used_bytes = used_bytes + 100');
    assert.equal(await server.resolveRecipient('alice@example.com'), first);

    await cli.setEnabled('alice@example.com', false);
    const disabled = await server.resolveRecipient('alice@example.com');
    assert.ok(disabled.kind === 'account' && !disabled.account.enabled, 'a change by another connection');

    await cliDb.run(`UPDATE accounts SET forward_to = 'bob@remote.test'`);
    const forwarded = await server.resolveRecipient('alice@example.com');
    assert.ok(forwarded.kind === 'account' && forwarded.account.forwardTo[0] === 'bob@remote.test');

    await server.addDomain({ name: 'example.net', aliasOf: 'example.com' });
    assert.equal((await cli.resolveRecipient('alice@example.net')).kind, 'account');
    await cli.removeDomain('example.net');
    assert.equal((await server.resolveRecipient('alice@example.net')).kind, 'remote');

    await cli.addAlias({ address: 'team@example.com', members: ['alice@example.com'] });
    const team = await server.resolveRecipient('team@example.com');
    assert.deepEqual(team.kind === 'alias' && team.alias.members, ['alice@example.com']);
    await cli.addAliasMembers('team@example.com', ['carol@remote.test']);
    const grown = await server.resolveRecipient('team@example.com');
    assert.deepEqual(grown.kind === 'alias' && grown.alias.members, [
      'alice@example.com',
      'carol@remote.test',
    ]);
    await cli.updateAlias('team@example.com', { restricted: true });
    const restricted = await server.resolveRecipient('team@example.com');
    assert.ok(restricted.kind === 'alias' && restricted.alias.restricted);

    await cli.removeAccount('alice@example.com');
    assert.equal((await server.resolveRecipient('alice@example.com')).kind, 'unknown-local');
    await cli.updateDomain('example.com', { catchAll: 'team@example.com' });
    assert.equal((await server.resolveRecipient('alice@example.com')).kind, 'alias');
  });
});
