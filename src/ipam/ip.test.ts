import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cidrContains,
  cidrContainsIp,
  cidrLast,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  parseIpv4Number,
  unmap,
} from './ip.js';

const canon = (s: string) => {
  const p = parseIp(s);
  assert.ok(p, `expected ${s} to parse`);
  return formatIp(p);
};

test('parseIp accepts what Go netip.ParseAddr accepts', () => {
  assert.deepEqual(parseIp('172.18.0.2'), { family: 4, value: 0xac120002n });
  assert.deepEqual(parseIp('0.0.0.0'), { family: 4, value: 0n });
  assert.deepEqual(parseIp('255.255.255.255'), { family: 4, value: 0xffffffffn });
  assert.deepEqual(parseIp('::'), { family: 6, value: 0n });
  assert.deepEqual(parseIp('::1'), { family: 6, value: 1n });
  assert.deepEqual(parseIp('1::'), { family: 6, value: 1n << 112n });
  assert.deepEqual(parseIp('2001:db8::1'), { family: 6, value: 0x20010db8000000000000000000000001n });
  assert.deepEqual(parseIp('1:2:3:4:5:6:7:8'), { family: 6, value: 0x00010002000300040005000600070008n });
  assert.deepEqual(parseIp('1:2:3:4:5:6:7::'), { family: 6, value: 0x00010002000300040005000600070000n });
  assert.deepEqual(parseIp('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
  assert.deepEqual(parseIp('1:2:3:4:5:6:1.2.3.4'), { family: 6, value: 0x00010002000300040005000601020304n });
  assert.deepEqual(parseIp('FE80::ABCD'), { family: 6, value: 0xfe80000000000000000000000000abcdn });
  assert.deepEqual(parseIp('0001:0db8::'), { family: 6, value: 0x00010db8n << 96n });
});

test('parseIp rejects what Go netip.ParseAddr rejects (and zones)', () => {
  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.256',
    '01.2.3.4',
    '1.2.3.04',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '1.2.3.4 ',
    '-1.2.3.4',
    'abc',
    ':',
    ':1',
    '1:',
    ':::',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '1:2:3:4:5:6:7::8',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::1.2.3.04',
    '::1.2.3',
    'g::1',
    'fe80::1%eth0',
    '%eth0',
  ]) {
    assert.equal(parseIp(bad), null, `expected ${JSON.stringify(bad)} to be rejected`);
  }
  assert.equal(parseIpv4Number('10.0.0.300'), null);
  assert.equal(parseIpv4Number('10.0.0.1'), 0x0a000001);
});

test('formatIp prints Go canonical form (RFC 5952)', () => {
  assert.equal(canon('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(canon('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // lone zero group kept
  assert.equal(canon('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // longest run wins
  assert.equal(canon('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // first run on ties
  assert.equal(canon('::'), '::');
  assert.equal(canon('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canon('1:0:0:0:0:0:0:0'), '1::');
  assert.equal(canon('FE80::ABCD'), 'fe80::abcd');
  assert.equal(canon('::ffff:1.2.3.4'), '::ffff:1.2.3.4');
  assert.equal(canon('::ffff:0102:0304'), '::ffff:1.2.3.4');
  assert.equal(canon('::1.2.3.4'), '::102:304');
  assert.equal(canon('172.28.5.254'), '172.28.5.254');
});

test('unmap turns ::ffff:a.b.c.d into IPv4', () => {
  assert.deepEqual(unmap(parseIp('::ffff:10.0.0.1')!), { family: 4, value: 0x0a000001n });
  assert.deepEqual(unmap(parseIp('::1')!), { family: 6, value: 1n });
});

test('parseCidr follows netip.ParsePrefix', () => {
  assert.deepEqual(parseCidr('10.1.0.5/24'), { family: 4, addr: 0x0a010005n, network: 0x0a010000n, prefix: 24 });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, addr: 0n, network: 0n, prefix: 0 });
  assert.deepEqual(parseCidr('2001:db8::1/64'), {
    family: 6,
    addr: 0x20010db8000000000000000000000001n,
    network: 0x20010db8000000000000000000000000n,
    prefix: 64,
  });
  for (const bad of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/024', '10.0.0.0/+8', '10.0.0.0/-1', '10.0.0.0/8 ', '2001:db8::/129', 'fe80::%eth0/64', '10.1.0.300/24', '/24']) {
    assert.equal(parseCidr(bad), null, `expected ${bad} to be rejected`);
  }
});

test('formatCidr prints as written or masked', () => {
  const c = parseCidr('10.1.0.5/24')!;
  assert.equal(formatCidr(c), '10.1.0.5/24');
  assert.equal(formatCidr(c, true), '10.1.0.0/24');
  assert.equal(formatCidr(parseCidr('2001:DB8:0::1/64')!), '2001:db8::1/64');
  assert.equal(formatCidr(parseCidr('2001:DB8:0::1/64')!, true), '2001:db8::/64');
});

test('containment, overlap, size and last address', () => {
  const n = parseCidr('192.168.0.0/23')!;
  assert.equal(cidrContains(n, parseIp('192.168.1.255')!.value), true);
  assert.equal(cidrContains(n, parseIp('192.168.2.0')!.value), false);
  assert.equal(cidrSize(n), 512n);
  assert.equal(formatIp({ family: 4, value: cidrLast(n) }), '192.168.1.255');
  assert.equal(cidrSize(parseCidr('2001:db8::/64')!), 1n << 64n);
  assert.equal(cidrOverlaps(parseCidr('192.168.0.0/16')!, parseCidr('192.168.128.0/17')!), true);
  assert.equal(cidrOverlaps(parseCidr('192.168.128.0/17')!, parseCidr('192.168.0.0/16')!), true);
  assert.equal(cidrOverlaps(parseCidr('172.18.0.0/16')!, parseCidr('172.19.0.0/16')!), false);
  // Across families never, even for the IPv4-mapped block.
  assert.equal(cidrOverlaps(parseCidr('0.0.0.0/0')!, parseCidr('::/0')!), false);
  assert.equal(cidrContainsIp(parseCidr('::ffff:0:0/96')!, parseIp('10.0.0.1')!), false);
  assert.equal(cidrContainsIp(parseCidr('10.0.0.0/8')!, parseIp('10.2.3.4')!), true);
});
