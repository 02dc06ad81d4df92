import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveExecUser } from './exec-user.js';

// An Alpine-like passwd/group: root is listed in several groups, nobody in none.
const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'bin:x:1:1:bin:/bin:/sbin/nologin',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/:/sbin/nologin',
  '',
].join('\n');
const GROUP = ['root:x:0:root', 'bin:x:1:root,bin', 'wheel:x:10:root', 'app:x:1000:', 'audio:x:18:app', 'nogroup:x:65534:', ''].join('\n');

test('no user: root, with the groups /etc/group lists root in', () => {
  assert.deepEqual(resolveExecUser('', PASSWD, GROUP), { uid: 0, gid: 0, groups: [0, 0, 1, 10], home: '/root' });
});

test('a name: its uid, gid, home and supplementary groups', () => {
  assert.deepEqual(resolveExecUser('app', PASSWD, GROUP), { uid: 1000, gid: 1000, groups: [1000, 18], home: '/home/app' });
});

test('a numeric uid is a uid even without a passwd entry; HOME is then /', () => {
  assert.deepEqual(resolveExecUser('1000', PASSWD, GROUP), { uid: 1000, gid: 1000, groups: [1000, 18], home: '/home/app' });
  assert.deepEqual(resolveExecUser('4242', PASSWD, GROUP), { uid: 4242, gid: 0, groups: [0], home: '/' });
});

test('an explicit group replaces the gid and brings no supplementary groups', () => {
  assert.deepEqual(resolveExecUser('app:wheel', PASSWD, GROUP), { uid: 1000, gid: 10, groups: [10], home: '/home/app' });
  assert.deepEqual(resolveExecUser('app:777', PASSWD, GROUP), { uid: 1000, gid: 777, groups: [777], home: '/home/app' });
  assert.deepEqual(resolveExecUser('4242:4343', undefined, undefined), { uid: 4242, gid: 4343, groups: [4343], home: '/' });
});

test("unknown names fail with Docker's texts", () => {
  assert.throws(() => resolveExecUser('nosuch', PASSWD, GROUP), { message: 'unable to find user nosuch: no matching entries in passwd file' });
  assert.throws(() => resolveExecUser('app:nosuch', PASSWD, GROUP), { message: 'unable to find group nosuch: no matching entries in group file' });
  assert.throws(() => resolveExecUser('nosuch', undefined, undefined), { message: 'unable to find user nosuch: no matching entries in passwd file' });
  assert.throws(() => resolveExecUser('-1', PASSWD, GROUP), { message: 'uids and gids must be in range 0-2147483647' });
  assert.throws(() => resolveExecUser('app:2147483648', PASSWD, GROUP), { message: 'uids and gids must be in range 0-2147483647' });
});

test('the first matching entry wins', () => {
  const passwd = 'toor:x:0:0::/toor:/bin/sh\nroot:x:0:0::/root:/bin/sh\n';
  assert.deepEqual(resolveExecUser('root', passwd, ''), { uid: 0, gid: 0, groups: [0], home: '/toor' });
});
