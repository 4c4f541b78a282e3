import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openApp, type App } from '../../src/app.js';
import { initDataDir } from '../../src/cli/init.js';
import type { Actor } from '../../src/directory/types.js';
import { cli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('contacts: the domain-wide address book with delegated group admins', () => {
  let dir: string;
  let cleanup: () => void;
  let app: App;
  const as = async (address: string): Promise<Actor> => ({
    kind: 'account',
    account: (await app.directory.getAccount(address))!,
  });

  before(async () => {
    ({ dir, cleanup } = tempDir());
    await initDataDir(dir, { hostname: 'mail.example.test' });
    for (const args of [
      ['domain', 'add', 'corp.test'],
      ['domain', 'add', 'other.test'],
      ['group', 'add', 'Sales', '--domain', 'corp.test'],
      ['group', 'add', 'Support', '--domain', 'corp.test'],
      ['user', 'add', 'lead@corp.test', '--password', 'a-long-password-1', '--group', 'Sales'],
      ['group', 'admins', 'add', 'Sales', 'lead@corp.test'],
      ['user', 'add', 'staff@corp.test', '--password', 'a-long-password-1', '--group', 'Support'],
      ['user', 'add', 'boss@other.test', '--password', 'a-long-password-1', '--role', 'domain-admin'],
    ]) {
      const r = await cli(dir, ...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
    }
    app = await openApp(dir);
  });
  after(async () => {
    await app.close();
    cleanup();
  });

  test('the CLI adds, lists, shows, changes and removes contacts', async () => {
    const add = await cli(
      dir,
      'contact',
      'add',
      'Ada Buyer',
      '--email',
      'ada@customer.test',
      '--domain',
      'corp.test',
      '--group',
      'Sales',
      '--phone',
      '+1 555 0100',
      '--company',
      'Customer Ltd',
    );
    assert.match(
      add.out,
      /^added contact (\d+): Ada Buyer <ada@customer\.test> in corp\.test \(group Sales\)$/,
    );
    const id = /contact (\d+)/.exec(add.out)![1]!;
    const list = JSON.parse((await cli(dir, 'contact', 'list', '--domain', 'corp.test', '--json')).out) as {
      name: string;
      group: string;
    }[];
    assert.deepEqual(
      list.map((c) => [c.name, c.group]),
      [['Ada Buyer', 'Sales']],
    );
    assert.match((await cli(dir, 'contact', 'set', id, '--title', 'Purchasing')).out, /title:\s+Purchasing/);
    assert.match((await cli(dir, 'contact', 'show', id)).out, /company:\s+Customer Ltd/);
    assert.equal((await cli(dir, 'contact', 'remove', id)).code, 0);
    assert.equal((await cli(dir, 'contact', 'show', id)).err, `mailstead contact: contact ${id} not found`);
  });

  test('bad input is refused with one line', async () => {
    assert.equal(
      (await cli(dir, 'contact', 'add', 'X', '--email', 'not-an-address', '--domain', 'corp.test')).err,
      'mailstead contact: "not-an-address" is not an email address',
    );
    assert.equal(
      (await cli(dir, 'contact', 'add', 'X', '--email', 'x@y.test', '--domain', 'nowhere.test')).err,
      'mailstead contact: domain nowhere.test not found',
    );
    assert.equal(
      (await cli(dir, 'contact', 'add', 'X', '--email', 'x@y.test')).err,
      'mailstead contact: missing --domain',
    );
  });

  test("a group admin manages contacts in their own group only; users read their domain's book", async () => {
    const lead = await as('lead@corp.test');
    const mine = await app.directory.contacts.add(
      { name: 'Sales Lead Contact', email: 'a@x.test', domain: 'corp.test', group: 'Sales' },
      lead,
    );
    await assert.rejects(
      app.directory.contacts.add(
        { name: 'Y', email: 'y@x.test', domain: 'corp.test', group: 'Support' },
        lead,
      ),
      /may not|not allowed|permission/i,
    );
    await assert.rejects(
      app.directory.contacts.add({ name: 'Z', email: 'z@x.test', domain: 'corp.test' }, lead),
      /may not|not allowed|permission/i,
    );
    const support = await app.directory.contacts.add({
      name: 'Support Vendor',
      email: 'v@x.test',
      domain: 'corp.test',
      group: 'Support',
    });
    await assert.rejects(
      app.directory.contacts.update(support.id, { name: 'hijacked' }, lead),
      /may not|not allowed|permission/i,
    );
    await assert.rejects(
      app.directory.contacts.update(mine.id, { group: 'Support' }, lead),
      /may not|not allowed|permission/i,
      'cannot move a contact out of reach',
    );
    await assert.rejects(app.directory.contacts.remove(support.id, lead), /may not|not allowed|permission/i);

    const staff = await as('staff@corp.test');
    assert.deepEqual((await app.directory.contacts.list({}, staff)).map((c) => c.name).sort(), [
      'Sales Lead Contact',
      'Support Vendor',
    ]);
    await assert.rejects(app.directory.contacts.remove(mine.id, staff), /may not|not allowed|permission/i);

    const outsider = await as('boss@other.test');
    assert.deepEqual(await app.directory.contacts.list({}, outsider), []);
    await assert.rejects(app.directory.contacts.get(mine.id, outsider), /may not|not allowed|permission/i);
  });
});
