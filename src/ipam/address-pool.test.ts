import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/errors.js';
import { AddressPool } from './address-pool.js';
import { formatIpv4Number } from './ip.js';

const errorIs = (kind: string, message: string) => (e: unknown) =>
  e instanceof EngineError && e.kind === kind && e.message === message;
const EXHAUSTED = errorIs('unavailable', 'no available addresses on this pool');
const IN_USE = errorIs('forbidden', 'Address already in use');
const OUT_OF_RANGE = errorIs('invalid-parameter', 'requested address is out of range');

test('IPv4 /24: network and broadcast reserved, lowest free first', () => {
  const p = new AddressPool('172.18.0.0/16');
  assert.equal(p.family, 4);
  assert.equal(p.allocate(), '172.18.0.1');
  assert.equal(p.allocate(), '172.18.0.2');
  assert.equal(p.isAllocated('172.18.0.0'), true);
  assert.equal(p.isAllocated('172.18.255.255'), true);
  assert.equal(p.isAllocated('172.18.0.3'), false);
  assert.throws(() => p.reserve('172.18.0.0'), IN_USE);
  assert.throws(() => p.reserve('172.18.255.255'), IN_USE);
  assert.equal(p.allocatedCount, 2);
});

test('/30, /31 and /32 (RFC 3021: no reservations below /30)', () => {
  const p30 = new AddressPool('10.0.0.0/30');
  assert.deepEqual([p30.allocate(), p30.allocate()], ['10.0.0.1', '10.0.0.2']);
  assert.throws(() => p30.allocate(), EXHAUSTED);

  const p31 = new AddressPool('10.0.0.0/31');
  assert.deepEqual([p31.allocate(), p31.allocate()], ['10.0.0.0', '10.0.0.1']);
  assert.throws(() => p31.allocate(), EXHAUSTED);

  const p32 = new AddressPool('10.0.0.7/32');
  assert.equal(p32.allocate(), '10.0.0.7');
  assert.throws(() => p32.allocate(), EXHAUSTED);
  p32.release('10.0.0.7');
  assert.doesNotThrow(() => p32.reserve('10.0.0.7'));
  assert.throws(() => p32.reserve('10.0.0.8'), OUT_OF_RANGE);
});

test('lowest free after release (IPAM-17)', () => {
  const p = new AddressPool('172.18.0.0/16');
  p.allocate(); // gateway .1
  assert.deepEqual([p.allocate(), p.allocate()], ['172.18.0.2', '172.18.0.3']);
  p.release('172.18.0.2');
  assert.equal(p.allocate(), '172.18.0.2');
  assert.equal(p.allocate(), '172.18.0.4');
});

test('IPAM-18: 192.168.0.0/23 fills across the /24 boundary, released address comes back', () => {
  const p = new AddressPool('192.168.0.0/23');
  const got: string[] = [];
  for (;;) {
    try {
      got.push(p.allocate());
    } catch (e) {
      assert.ok(EXHAUSTED(e));
      break;
    }
  }
  assert.equal(got.length, 510);
  assert.equal(got[0], '192.168.0.1');
  assert.ok(got.includes('192.168.0.255'));
  assert.ok(got.includes('192.168.1.0'));
  assert.equal(got[got.length - 1], '192.168.1.254');
  p.release('192.168.0.30');
  assert.equal(p.isAllocated('192.168.0.30'), false);
  assert.equal(p.allocate(), '192.168.0.30');
  assert.throws(() => p.allocate(), EXHAUSTED);
});

test('explicit addresses: in use, out of range, IPv4-mapped form', () => {
  const p = new AddressPool('172.28.0.0/16');
  p.reserve('172.28.5.254');
  assert.throws(() => p.reserve('172.28.5.254'), IN_USE);
  assert.throws(() => p.reserve('172.29.0.1'), OUT_OF_RANGE);
  assert.throws(() => p.reserve('fd00::1'), OUT_OF_RANGE);
  assert.throws(() => p.reserve('not-an-ip'), OUT_OF_RANGE);
  p.reserve('::ffff:172.28.0.9'); // moby unmaps preferred addresses
  assert.equal(p.isAllocated('172.28.0.9'), true);
  assert.equal(p.allocate(), '172.28.0.1'); // non-.1 gateway leaves .1 free (§5.5)
  assert.equal(p.allocatedCount, 3);
});

test('release: free address and auto-reserved addresses are no-ops; outside subnet is an error', () => {
  const p = new AddressPool('10.1.0.0/24');
  assert.doesNotThrow(() => p.release('10.1.0.77'));
  p.release('10.1.0.0');
  p.release('10.1.0.255');
  assert.equal(p.isAllocated('10.1.0.0'), true);
  assert.equal(p.isAllocated('10.1.0.255'), true);
  assert.equal(p.allocate(), '10.1.0.1');
  assert.throws(() => p.release('10.2.0.1'), OUT_OF_RANGE);
  assert.equal(p.allocatedCount, 1);
});

test('contains() is about the parent subnet', () => {
  const p = new AddressPool('10.2.0.0/16', { ipRange: '10.2.2.0/24' });
  assert.equal(p.contains('10.2.0.5'), true);
  assert.equal(p.contains('10.3.0.5'), false);
  assert.equal(p.contains('bogus'), false);
  assert.equal(p.cidr.prefix, 16);
  assert.equal(p.ipRange?.prefix, 24);
});

test('--ip-range: addresses come from the range, its first address included (§5.6)', () => {
  const p = new AddressPool('10.2.0.0/16', { ipRange: '10.2.2.0/24' });
  assert.equal(p.allocate(), '10.2.2.0');
  assert.equal(p.allocate(), '10.2.2.1');
  // Explicit addresses may sit anywhere in the parent subnet.
  p.reserve('10.2.0.5');
  assert.throws(() => p.reserve('10.3.0.5'), OUT_OF_RANGE);
  for (let i = 2; i < 256; i++) assert.equal(p.allocate(), `10.2.2.${i}`);
  assert.throws(() => p.allocate(), EXHAUSTED);
  p.release('10.2.2.100');
  assert.equal(p.allocate(), '10.2.2.100');
  // Only the parent's network and broadcast are reserved.
  assert.equal(p.isAllocated('10.2.0.0'), true);
  assert.equal(p.isAllocated('10.2.255.255'), true);
  assert.equal(p.isAllocated('10.2.3.0'), false);
});

test('--ip-range at the top of the subnet stops before the parent broadcast', () => {
  const p = new AddressPool('10.2.0.0/16', { ipRange: '10.2.255.0/24' });
  const got: string[] = [];
  for (let i = 0; i < 255; i++) got.push(p.allocate());
  assert.equal(got[0], '10.2.255.0');
  assert.equal(got[254], '10.2.255.254');
  assert.throws(() => p.allocate(), EXHAUSTED);
});

test('ip-range wider than its subnet falls back to the subnet (moby pre-v24 compatibility)', () => {
  const p = new AddressPool('10.2.2.0/24', { ipRange: '10.2.0.0/16' });
  assert.equal(p.ipRange, undefined);
  assert.equal(p.allocate(), '10.2.2.1');
});

test('constructor rejects bad input', () => {
  assert.throws(() => new AddressPool('10.0.0.0'), EngineError);
  assert.throws(() => new AddressPool('10.0.0.0/8', { ipRange: 'fd00::/64' }), EngineError);
  assert.throws(() => new AddressPool('10.0.0.0/8', { ipRange: '11.0.0.0/16' }), EngineError);
  // Host bits are masked.
  assert.equal(new AddressPool('10.1.0.5/24').allocate(), '10.1.0.1');
});

test('IPv6 /64: only the subnet-router anycast address is reserved', () => {
  const p = new AddressPool('2001:db8:abcd::/64');
  assert.equal(p.family, 6);
  assert.equal(p.isAllocated('2001:db8:abcd::'), true);
  assert.equal(p.allocate(), '2001:db8:abcd::1');
  assert.equal(p.allocate(), '2001:db8:abcd::2');
  p.reserve('2001:db8:abcd::ffff:ffff:ffff:ffff'); // last address: no broadcast in IPv6
  assert.throws(() => p.reserve('2001:DB8:ABCD:0:ffff:ffff:ffff:ffff'), IN_USE);
  p.reserve('2001:db8:abcd:0:1234::1');
  assert.equal(p.isAllocated('2001:db8:abcd:0:1234:0:0:1'), true);
  assert.throws(() => p.reserve('2001:db8:abce::1'), OUT_OF_RANGE);
  assert.throws(() => p.reserve('10.0.0.1'), OUT_OF_RANGE);
  p.release('2001:db8:abcd::1');
  assert.equal(p.allocate(), '2001:db8:abcd::1');
  assert.equal(p.allocate(), '2001:db8:abcd::3');
  assert.equal(p.allocatedCount, 5);
});

test('IPv6 wider than /64: explicit addresses beyond 2^64 still work', () => {
  const p = new AddressPool('fd00:1::/48');
  p.reserve('fd00:1:0:ffff::5');
  assert.equal(p.isAllocated('fd00:1:0:ffff::5'), true);
  assert.throws(() => p.reserve('fd00:1:0:ffff::5'), IN_USE);
  p.release('fd00:1:0:ffff::5');
  assert.equal(p.isAllocated('fd00:1:0:ffff::5'), false);
  assert.equal(p.allocate(), 'fd00:1::1');
  assert.equal(p.allocatedCount, 1);
});

test('IPv6 /127 and /128', () => {
  const p127 = new AddressPool('fd00::/127');
  assert.equal(p127.allocate(), 'fd00::1');
  assert.throws(() => p127.allocate(), EXHAUSTED);
  const p128 = new AddressPool('fd00::9/128');
  assert.throws(() => p128.allocate(), EXHAUSTED);
});

test('IPv6 with ip-range', () => {
  const p = new AddressPool('2001:db8::/64', { ipRange: '2001:db8::8:0/112' });
  assert.equal(p.allocate(), '2001:db8::8:0');
  assert.equal(p.allocate(), '2001:db8::8:1');
});

test('bitmap agrees with a naive model under random reserve/release/allocate', () => {
  // Deterministic PRNG so a failure is reproducible.
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const p = new AddressPool('10.0.0.0/18'); // 16384 addresses: 4 chunks
  const taken = new Set<number>([0, 16383]);
  const lowestFree = () => {
    for (let i = 0; i < 16384; i++) if (!taken.has(i)) return i;
    return -1;
  };
  const ip = (off: number) => formatIpv4Number(0x0a000000 + off);
  for (let step = 0; step < 20000; step++) {
    const op = rnd(10);
    if (op < 5) {
      const exp = lowestFree();
      if (exp < 0) {
        assert.throws(() => p.allocate(), EXHAUSTED);
      } else {
        assert.equal(p.allocate(), ip(exp));
        taken.add(exp);
      }
    } else if (op < 7) {
      const off = rnd(16384);
      if (taken.has(off)) assert.throws(() => p.reserve(ip(off)), IN_USE);
      else {
        p.reserve(ip(off));
        taken.add(off);
      }
    } else {
      const off = rnd(16384);
      p.release(ip(off));
      if (off !== 0 && off !== 16383) taken.delete(off);
    }
  }
  for (let off = 0; off < 16384; off++) assert.equal(p.isAllocated(ip(off)), taken.has(off));
  assert.equal(p.allocatedCount, taken.size - 2);
});

test('10.0.0.0/8: allocate then release 1,000,000 addresses', () => {
  const p = new AddressPool('10.0.0.0/8');
  const N = 1_000_000;
  let first = '';
  let last = '';
  for (let i = 0; i < N; i++) {
    const a = p.allocate();
    if (i === 0) first = a;
    last = a;
  }
  assert.equal(first, '10.0.0.1');
  assert.equal(last, '10.15.66.64'); // 10.0.0.0 + 1,000,000
  assert.equal(p.allocatedCount, N);
  assert.equal(p.isAllocated('10.15.66.64'), true);
  assert.equal(p.isAllocated('10.15.66.65'), false);

  // Holes are refilled lowest first, then allocation resumes at the end.
  p.release('10.7.0.1');
  p.release('10.3.3.3');
  assert.equal(p.allocate(), '10.3.3.3');
  assert.equal(p.allocate(), '10.7.0.1');
  assert.equal(p.allocate(), '10.15.66.65');
  p.release('10.15.66.65');

  for (let i = 1; i <= N; i++) p.release(formatIpv4Number(0x0a000000 + i));
  assert.equal(p.allocatedCount, 0);
  assert.equal(p.isAllocated('10.3.3.3'), false);
  assert.equal(p.isAllocated('10.0.0.0'), true);
  assert.equal(p.isAllocated('10.255.255.255'), true);
  assert.equal(p.allocate(), '10.0.0.1');
});
