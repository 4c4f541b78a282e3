import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initDataDir } from '../../src/cli/init.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('directory commands', () => {
  const tmp = tempDir();
  const data = join(tmp.dir, 'data');
  const run = (...args: string[]) => cli(data, ...args);
  /** Runs a command that must fail, and returns its one-line message. */
  const refuse = async (...args: string[]) => {
    const r = await run(...args);
    assert.equal(r.code, 1, `${args.join(' ')} succeeded: ${r.out}`);
    assert.equal(r.err.split('\n').length, 1, r.err);
    return r.err;
  };
  after(() => tmp.cleanup());

  before(async () => {
    const r = await cli(data, 'init', '--hostname', 'mail.example.com');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^initialised .*\nadmin login: admin@example\.com\npassword: {4}[a-zA-Z2-9]{20}\n/);
    assert.ok(existsSync(join(data, 'tls', 'cert.pem')) && existsSync(join(data, 'tls', 'key.pem')));
  });

  it('init refuses an existing data dir, and a non-empty one', async () => {
    assert.equal(
      await refuse('init'),
      `mailstead init: ${data} is already a Mailstead data directory; refusing to overwrite it`,
    );
    const other = join(tmp.dir, 'other');
    await initDataDir(other, { hostname: 'localhost' }).then((r) =>
      assert.equal(r.adminAddress, 'admin@localhost'),
    );
    const junk = join(tmp.dir, 'junk');
    spawnSync('mkdir', [junk]);
    writeFileSync(join(junk, 'x'), '');
    await assert.rejects(initDataDir(junk), {
      message: `${junk} exists and is not empty; refusing to overwrite it (choose a new or empty directory)`,
    });
    await assert.rejects(initDataDir(join(tmp.dir, 'bad'), { hostname: 'bad host' }), {
      message: '"bad host" is not a valid hostname',
    });
  });

  it('domain add, list, show, set and remove', async () => {
    assert.equal(
      (
        await run(
          'domain',
          'add',
          'hosted.test',
          '--max-accounts',
          '2',
          '--max-aliases',
          '1',
          '--max-storage',
          '1G',
        )
      ).out,
      'added domain hosted.test',
    );
    assert.equal(
      (await run('domain', 'add', 'hosted.example', '--alias-of', 'hosted.test')).out,
      'added domain hosted.example (alias of hosted.test)',
    );
    assert.equal(
      await refuse('domain', 'add', 'hosted.test'),
      'mailstead domain: domain hosted.test already exists',
    );
    assert.equal(
      await refuse('domain', 'add', 'bad..name'),
      'mailstead domain: "bad..name" is not a valid domain name',
    );
    assert.equal(
      await refuse('domain', 'add', 'x.test', '--max-accounts', 'many'),
      'mailstead domain: --max-accounts: "many" is not a number (or none)',
    );
    assert.equal(
      await refuse('domain', 'add', 'x.test', '--alias-of', 'nowhere.test'),
      'mailstead domain: domain nowhere.test not found',
    );
    assert.equal(
      await refuse('domain', 'frobnicate'),
      'mailstead domain: unknown subcommand "frobnicate"; use add, set, list, show or remove',
    );
    const list = JSON.parse((await run('domain', 'list', '--json')).out) as { name: string }[];
    assert.deepEqual(
      list.map((d) => d.name),
      ['example.com', 'hosted.example', 'hosted.test'],
    );
    const show = (await run('domain', 'show', 'hosted.test')).out;
    assert.match(show, /^accounts: +0 of 2 \(2 available\)$/m);
    assert.match(show, /^domain aliases: +hosted\.example$/m);
    assert.equal(
      (await run('domain', 'set', 'hosted.test', '--max-aliases', 'none')).out,
      'changed domain hosted.test',
    );
    assert.match((await run('domain', 'show', 'hosted.test')).out, /^aliases: +0 \(no limit\)$/m);
    assert.equal(
      await refuse('domain', 'remove', 'hosted.test'),
      'mailstead domain: domain hosted.test still has 1 domain alias; remove them first',
    );
    assert.equal((await run('domain', 'remove', 'hosted.example')).out, 'removed domain hosted.example');
  });

  it('user add shows the domain usage and refuses what it must', async () => {
    const added = await run(
      'user',
      'add',
      'Ann@hosted.test',
      '--password',
      'pw1',
      '--quota',
      '600M',
      '--name',
      'Ann A',
    );
    assert.equal(
      added.out,
      'added account ann@hosted.test\ndomain hosted.test: accounts 1 of 2 (1 available), aliases 0 (no limit), storage 600M of 1G allocated',
    );
    assert.equal(
      await refuse('user', 'add', 'ann@hosted.test', '--password', 'x'),
      'mailstead user: account ann@hosted.test already exists',
    );
    assert.equal(
      await refuse('user', 'add', 'bob@hosted.test', '--password', 'x', '--quota', '500M'),
      'mailstead user: a quota of 500M would exceed the storage limit of domain hosted.test (600M of 1G allocated)',
    );
    await run('user', 'add', 'bob@hosted.test', '--password', 'x');
    assert.equal(
      await refuse('user', 'add', 'cat@hosted.test', '--password', 'x'),
      'mailstead user: domain hosted.test has reached its limit of 2 accounts',
    );
    assert.equal(
      await refuse('user', 'add', 'not-an-address', '--password', 'x'),
      'mailstead user: "not-an-address" is not a valid address',
    );
    assert.equal(
      await refuse('user', 'add', 'x@unknown.test', '--password', 'x'),
      'mailstead user: domain unknown.test not found',
    );
    assert.equal(
      await refuse('user', 'add', 'x@example.com', '--password', 'x', '--role', 'king'),
      'mailstead user: "king" is not a role (use user, group-admin, domain-admin, server-admin)',
    );
    assert.equal(
      await refuse('user', 'add', 'x@example.com'),
      'mailstead user: missing --password (or --password-stdin)',
    );
    assert.equal(
      await refuse('user', 'add', 'x@example.com', '--password', 'x', '--group', 'Nope'),
      'mailstead user: group Nope not found',
    );
    assert.equal(
      await refuse('user', 'add', 'x@example.com', '--password', 'x', '--webmail', 'no'),
      'mailstead user: user add does not take --webmail',
    );
    assert.equal(
      await refuse('user', 'show', 'ghost@example.com'),
      'mailstead user: account ghost@example.com not found',
    );
  });

  it('user list, show, set, passwd, disable, enable, remove', async () => {
    await run(
      'user',
      'add',
      'dan@example.com',
      '--password',
      'pw',
      '--role',
      'domain-admin',
      '--quota-messages',
      '1000',
    );
    const list = JSON.parse((await run('user', 'list', '--domain', 'example.com', '--json')).out) as {
      address: string;
      role: string;
    }[];
    assert.deepEqual(
      list.map((a) => [a.address, a.role]),
      [
        ['admin@example.com', 'server-admin'],
        ['dan@example.com', 'domain-admin'],
      ],
    );
    assert.match((await run('user', 'list')).out, /^ADDRESS +DISPLAYNAME +ROLE +ENABLED +QUOTA +GROUP\n/);
    assert.equal(
      (
        await run(
          'user',
          'set',
          'dan@example.com',
          '--receive-local-only',
          'yes',
          '--webmail',
          'no',
          '--forward',
          'a@remote.test,b@remote.test',
          '--keep-copy',
          'no',
        )
      ).out,
      'changed account dan@example.com',
    );
    const dan = JSON.parse((await run('user', 'show', 'dan@example.com', '--json')).out) as Record<
      string,
      unknown
    >;
    assert.deepEqual(
      [dan.receiveLocalOnly, dan.webmail, dan.forwardTo, dan.forwardKeepCopy, dan.quotaMessages],
      [true, false, ['a@remote.test', 'b@remote.test'], false, 1000],
    );
    assert.equal(
      await refuse('user', 'set', 'dan@example.com', '--webmail', 'maybe'),
      'mailstead user: --webmail: "maybe" is not yes or no',
    );
    assert.equal(
      await refuse('user', 'set', 'dan@example.com'),
      'mailstead user: nothing to change; see `mailstead help user`',
    );
    assert.equal(
      (await run('user', 'passwd', 'dan@example.com', '--password', 'new')).out,
      'changed the password of dan@example.com',
    );
    assert.equal((await run('user', 'disable', 'dan@example.com')).out, 'disabled dan@example.com');
    assert.match((await run('user', 'show', 'dan@example.com')).out, /^enabled: +no$/m);
    assert.equal((await run('user', 'enable', 'dan@example.com')).out, 'enabled dan@example.com');
    assert.equal(
      await refuse('user', 'remove', 'admin@example.com'),
      'mailstead user: admin@example.com is the last enabled server admin; make another one first',
    );
    assert.equal((await run('user', 'remove', 'dan@example.com')).out, 'removed account dan@example.com');
  });

  it('user passwd reads --password-stdin', () => {
    const bin = join(process.cwd(), 'bin', 'mailstead.js');
    const r = spawnSync(
      process.execPath,
      [bin, 'user', 'passwd', 'ann@hosted.test', '--password-stdin', '--data', data],
      { input: 's3cret from stdin\n', encoding: 'utf8' },
    );
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'changed the password of ann@hosted.test\n');
  });

  it('alias add, show, members, set, list, remove', async () => {
    assert.equal(
      (
        await run(
          'alias',
          'add',
          'team@example.com',
          'admin@example.com',
          'ext@remote.test',
          '--owner',
          'admin@example.com',
          '--restricted',
          '--allow-sender',
          'boss@remote.test',
        )
      ).out,
      'added alias team@example.com with 2 members',
    );
    assert.equal(
      await refuse('alias', 'add', 'team@example.com', 'x@remote.test'),
      'mailstead alias: alias team@example.com already exists',
    );
    assert.equal(
      await refuse('alias', 'add', 'lonely@example.com'),
      'mailstead alias: missing MEMBER (an address the alias delivers to)',
    );
    assert.equal(
      await refuse('alias', 'add', 'x@example.com', 'bad member'),
      'mailstead alias: "bad member" is not a valid address',
    );
    await run('domain', 'set', 'hosted.test', '--max-aliases', '1');
    await run('alias', 'add', 'one@hosted.test', 'ann@hosted.test');
    assert.equal(
      await refuse('alias', 'add', 'two@hosted.test', 'ann@hosted.test'),
      'mailstead alias: domain hosted.test has reached its limit of 1 alias',
    );
    assert.equal(
      (await run('alias', 'members', 'add', 'team@example.com', 'one@hosted.test')).out,
      'added 1 member; team@example.com has 3',
    );
    const show = (await run('alias', 'show', 'team@example.com')).out;
    assert.match(show, /^expands to: +admin@example\.com, ext@remote\.test, ann@hosted\.test$/m);
    assert.match(show, /^restricted: +yes: boss@remote\.test, members may send$/m);
    assert.equal(
      await refuse('alias', 'members', 'remove', 'team@example.com', 'nobody@remote.test'),
      'mailstead alias: nobody@remote.test is not a member of team@example.com',
    );
    assert.equal(
      (await run('alias', 'members', 'remove', 'team@example.com', 'ext@remote.test')).out,
      'removed 1 member; team@example.com has 2',
    );
    assert.equal(
      (await run('alias', 'set', 'team@example.com', '--restricted', 'no')).out,
      'changed alias team@example.com',
    );
    const list = JSON.parse((await run('alias', 'list', '--domain', 'example.com', '--json')).out) as {
      address: string;
      restricted: boolean;
    }[];
    assert.deepEqual(
      list.map((a) => [a.address, a.restricted]),
      [['team@example.com', false]],
    );
    assert.equal((await run('alias', 'remove', 'one@hosted.test')).out, 'removed alias one@hosted.test');
  });

  it('group add, admins, members, show, remove', async () => {
    assert.equal(
      (await run('group', 'add', 'Sales', '--domain', 'hosted.test')).out,
      'added group Sales in domain hosted.test',
    );
    assert.equal(
      (await run('group', 'add', 'EU', '--parent', 'Sales')).out,
      'added group EU under Sales in domain hosted.test',
    );
    assert.equal(await refuse('group', 'add', 'EU'), 'mailstead group: group EU already exists');
    assert.equal(
      (await run('group', 'admins', 'add', 'Sales', 'bob@hosted.test')).out,
      'bob@hosted.test is now an admin of group Sales (role raised to group-admin)',
    );
    assert.equal(
      (await run('group', 'members', 'add', 'EU', 'ann@hosted.test')).out,
      'added 1 member to group EU',
    );
    assert.equal(
      await refuse('group', 'members', 'add', 'EU', 'admin@example.com'),
      'mailstead group: group EU belongs to domain hosted.test, not example.com',
    );
    const show = (await run('group', 'show', 'EU')).out;
    assert.match(show, /^parent: +Sales$/m);
    assert.match(show, /^members: +ann@hosted\.test$/m);
    assert.equal(
      await refuse('group', 'remove', 'EU'),
      'mailstead group: group EU still has 1 account; move or remove them first',
    );
    assert.equal(
      (await run('group', 'members', 'remove', 'EU', 'ann@hosted.test')).out,
      'removed 1 member from group EU',
    );
    assert.equal((await run('group', 'remove', 'EU')).out, 'removed group EU');
    const groups = JSON.parse((await run('group', 'list', '--json')).out) as {
      name: string;
      admins: string[];
    }[];
    assert.deepEqual(
      groups.map((g) => [g.name, g.admins]),
      [['Sales', ['bob@hosted.test']]],
    );
  });

  it('user grant and revoke, to users and groups in one step', async () => {
    await run('user', 'add', 'shared@example.com', '--password', 'x');
    const g = await run(
      'user',
      'grant',
      'shared@example.com',
      '--to',
      'admin@example.com,@Sales',
      '--send-as',
    );
    assert.equal(
      g.out,
      'granted send-as on shared@example.com to admin@example.com\ngranted send-as on shared@example.com to @Sales',
    );
    assert.match(
      (await run('user', 'show', 'shared@example.com')).out,
      /^grants: +send-as to @Sales, send-as to admin@example\.com$/m,
    );
    assert.equal(
      (await run('user', 'revoke', 'shared@example.com', '--to', '@Sales', '--send-as')).out,
      'revoked send-as on shared@example.com from @Sales',
    );
    assert.equal(
      (await run('user', 'revoke', 'shared@example.com', '--to', '@Sales', '--send-as')).out,
      '@Sales had no send-as on shared@example.com',
    );
    assert.equal(
      await refuse('user', 'grant', 'shared@example.com', '--to', 'admin@example.com'),
      'mailstead user: give --send-as or --send-on-behalf (or both)',
    );
    assert.equal(
      await refuse('user', 'grant', 'shared@example.com', '--send-as'),
      'mailstead user: missing --to USER or --to @GROUP',
    );
  });
});
