import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/errors.js';
import {
  DEFAULT_POOLS,
  checkExplicitSubnet,
  deriveUlaBase,
  selectIpv4Subnet,
  selectIpv6Subnet,
  type SelectionMode,
  type SubnetSelectorState,
} from './pools.js';
import { sha256Hex } from './sha256.js';

const EXHAUSTED = 'all predefined address pools have been fully subnetted';
const EXHAUSTED_LEGACY =
  'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network';

/** A tiny engine model: networks hold subnets, dynamic ones come from the selector. */
class Host {
  readonly state: SubnetSelectorState = { rotatingIndex: 0 };
  readonly nets = new Map<string, string>();
  constructor(
    readonly mode: SelectionMode,
    readonly reserved: string[] = [],
  ) {
    this.create('bridge'); // docker0 takes the first pool at daemon start
  }
  create(name: string): string {
    const s = selectIpv4Subnet({ allocated: [...this.nets.values()], reserved: this.reserved, mode: this.mode, state: this.state });
    this.nets.set(name, s);
    return s;
  }
  rm(name: string) {
    this.nets.delete(name);
  }
}

const errorIs = (kind: string, message: string) => (e: unknown) =>
  e instanceof EngineError && e.kind === kind && e.message === message;

test('DEFAULT_POOLS split into the 31 subnets of §3.1, in order', () => {
  const got: string[] = [];
  const state = { rotatingIndex: 0 };
  for (let i = 0; i < 31; i++) got.push(selectIpv4Subnet({ allocated: got, reserved: [], mode: 'lowest-free', state }));
  const expected = [
    ...Array.from({ length: 15 }, (_, i) => `172.${17 + i}.0.0/16`),
    ...Array.from({ length: 16 }, (_, i) => `192.168.${i * 16}.0/20`),
  ];
  assert.deepEqual(got, expected);
  assert.equal(DEFAULT_POOLS.length, 7);
});

test('IPAM-01: first user network is 172.18.0.0/16', () => {
  for (const mode of ['lowest-free', 'rotating'] as const) {
    const h = new Host(mode);
    assert.equal(h.nets.get('bridge'), '172.17.0.0/16');
    assert.equal(h.create('a'), '172.18.0.0/16', mode);
  }
});

test('IPAM-02: create a, b; rm a; create c', () => {
  const now = new Host('lowest-free');
  now.create('a');
  now.create('b');
  now.rm('a');
  assert.equal(now.create('c'), '172.18.0.0/16');

  const legacy = new Host('rotating');
  assert.equal(legacy.create('a'), '172.18.0.0/16');
  assert.equal(legacy.create('b'), '172.19.0.0/16');
  legacy.rm('a');
  assert.equal(legacy.create('c'), '172.20.0.0/16');
});

test('IPAM-03: 14 networks take 172.18–172.31, then 192.168.0.0/20 and 192.168.16.0/20', () => {
  for (const mode of ['lowest-free', 'rotating'] as const) {
    const h = new Host(mode);
    const got = Array.from({ length: 16 }, (_, i) => h.create(`n${i}`));
    assert.deepEqual(got.slice(0, 14), Array.from({ length: 14 }, (_, i) => `172.${18 + i}.0.0/16`), mode);
    assert.equal(got[14], '192.168.0.0/20', mode);
    assert.equal(got[15], '192.168.16.0/20', mode);
  }
});

test('IPAM-04: 30 user networks fit; the 31st fails with the profile text', () => {
  const now = new Host('lowest-free');
  for (let i = 0; i < 30; i++) now.create(`n${i}`);
  assert.equal(now.nets.get('n29'), '192.168.240.0/20');
  assert.throws(() => now.create('n30'), errorIs('invalid-parameter', EXHAUSTED));

  const legacy = new Host('rotating');
  for (let i = 0; i < 30; i++) legacy.create(`n${i}`);
  assert.throws(() => legacy.create('n30'), errorIs('not-found', EXHAUSTED_LEGACY));
});

test('IPAM-05: an on-link host route 172.18.0.0/16 is avoided', () => {
  for (const mode of ['lowest-free', 'rotating'] as const) {
    const h = new Host(mode, ['172.18.0.0/16']);
    assert.equal(h.create('a'), '172.19.0.0/16', mode);
    assert.equal(h.create('b'), '172.20.0.0/16', mode);
  }
});

test('§3.5: a host nameserver (host prefix) makes its /16 skipped', () => {
  for (const reserved of [['172.20.0.53'], ['172.20.0.53/32'], ['2001:db8::53/128', '172.20.0.53']]) {
    for (const mode of ['lowest-free', 'rotating'] as const) {
      const h = new Host(mode, reserved);
      assert.deepEqual([h.create('a'), h.create('b'), h.create('c')], ['172.18.0.0/16', '172.19.0.0/16', '172.21.0.0/16']);
    }
  }
});

test('§3.5: six compose projects holding 172.18–172.23 → next is 172.24.0.0/16', () => {
  const allocated = ['172.17.0.0/16', ...Array.from({ length: 6 }, (_, i) => `172.${18 + i}.0.0/16`)];
  const state = { rotatingIndex: 0 };
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'lowest-free', state }), '172.24.0.0/16');
});

test('legacy rotation climbs through every pool on create/delete cycles, then wraps', () => {
  const h = new Host('rotating');
  const seen: string[] = [];
  for (let i = 0; i < 31; i++) {
    seen.push(h.create('tmp'));
    h.rm('tmp');
  }
  assert.deepEqual(seen.slice(0, 14), Array.from({ length: 14 }, (_, i) => `172.${18 + i}.0.0/16`));
  assert.equal(seen[14], '192.168.0.0/20');
  assert.equal(seen[29], '192.168.240.0/20');
  assert.equal(seen[30], '172.18.0.0/16'); // wrapped; 172.17 still held by docker0
  assert.equal(h.state.rotatingIndex, 2);
});

test('legacy rotation: index past the end resets to 0 (moby updatePredefinedStartIndex)', () => {
  const state = { rotatingIndex: 30 };
  const allocated = ['172.17.0.0/16', '192.168.240.0/20'];
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'rotating', state }), '172.18.0.0/16');
  assert.equal(state.rotatingIndex, 0); // 30 + 2 + 1 ≥ 31 → 0, not 2
  allocated.push('172.18.0.0/16');
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'rotating', state }), '172.19.0.0/16');
  assert.equal(state.rotatingIndex, 3);
});

test('legacy rotation: a reserved candidate moves the rotation past it for good', () => {
  const state = { rotatingIndex: 1 }; // docker0 already took 172.17
  const allocated = ['172.17.0.0/16'];
  const reserved = ['172.18.0.0/16', '172.19.0.53'];
  assert.equal(selectIpv4Subnet({ allocated, reserved, mode: 'rotating', state }), '172.20.0.0/16');
  assert.equal(state.rotatingIndex, 4);
  // Host route gone: the rotation does not go back to 172.18 until it wraps.
  allocated.push('172.20.0.0/16');
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'rotating', state }), '172.21.0.0/16');
  // Lowest-free has no memory.
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'lowest-free', state }), '172.18.0.0/16');
});

test('explicit and unaligned allocations are overlap-checked, not just exact matches', () => {
  const state = { rotatingIndex: 0 };
  for (const mode of ['lowest-free', 'rotating'] as const) {
    state.rotatingIndex = 0;
    assert.equal(
      selectIpv4Subnet({ allocated: ['172.17.0.0/16', '172.18.5.0/24'], reserved: [], mode, state }),
      '172.19.0.0/16',
      mode,
    );
    state.rotatingIndex = 0;
    assert.equal(selectIpv4Subnet({ allocated: ['172.16.0.0/12'], reserved: [], mode, state }), '192.168.0.0/20', mode);
    state.rotatingIndex = 0;
    assert.equal(
      selectIpv4Subnet({ allocated: ['172.16.0.0/12', '192.168.0.0/17', 'fd00::/8'], reserved: [], mode, state }),
      '192.168.128.0/20',
      mode,
    );
  }
});

test('custom pools: sorted, contained pools dropped, split size honoured', () => {
  const pools = [
    { base: '192.168.0.0/16', size: 24 },
    { base: '10.1.0.0/16', size: 24 }, // inside 10.0.0.0/8: dropped by lowest-free
    { base: '10.0.0.0/8', size: 16 },
  ];
  const state = { rotatingIndex: 0 };
  assert.equal(selectIpv4Subnet({ allocated: [], reserved: [], mode: 'lowest-free', state, pools }), '10.0.0.0/16');
  assert.equal(
    selectIpv4Subnet({ allocated: ['10.0.0.0/16'], reserved: [], mode: 'lowest-free', state, pools }),
    '10.1.0.0/16',
  );
  // Legacy keeps configuration order: the first pool is split first.
  assert.equal(selectIpv4Subnet({ allocated: [], reserved: [], mode: 'rotating', state, pools }), '192.168.0.0/24');
  assert.equal(state.rotatingIndex, 1);
});

test('selection stays correct and cheap with 2,000 explicit subnets', () => {
  const pools = [{ base: '10.0.0.0/8', size: 24 }];
  const allocated: string[] = [];
  for (let i = 0; i < 2000; i++) if (i !== 1234) allocated.push(`10.${i >> 8}.${i & 255}.0/24`);
  allocated.push('10.200.0.0/16', 'fd00::/64');
  const state = { rotatingIndex: 0 };
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) {
    assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'lowest-free', state, pools }), '10.4.210.0/24');
  }
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'rotating', state, pools }), '10.4.210.0/24');
  assert.equal(state.rotatingIndex, 1235);
  assert.ok(performance.now() - t0 < 5000);
  allocated.push('10.4.210.0/24');
  assert.equal(selectIpv4Subnet({ allocated, reserved: [], mode: 'lowest-free', state, pools }), '10.7.208.0/24');
});

test('checkExplicitSubnet: IPAM-06 and IPAM-07 texts per profile', () => {
  const allocated = ['172.17.0.0/16', '172.18.0.0/16', '192.168.0.0/16', 'fd00:1::/64'];
  const now = 'invalid pool request: Pool overlaps with other one on this address space';
  const old = 'Pool overlaps with other one on this address space';
  assert.throws(() => checkExplicitSubnet('172.18.0.0/16', allocated, 'lowest-free'), errorIs('forbidden', now));
  assert.throws(() => checkExplicitSubnet('172.18.0.0/16', allocated, 'rotating'), errorIs('forbidden', old));
  assert.throws(() => checkExplicitSubnet('192.168.128.0/17', allocated, 'lowest-free'), errorIs('forbidden', now));
  assert.throws(() => checkExplicitSubnet('172.16.0.0/12', allocated, 'lowest-free'), errorIs('forbidden', now));
  assert.throws(() => checkExplicitSubnet('fd00:1::/48', allocated, 'lowest-free'), errorIs('forbidden', now));
  assert.doesNotThrow(() => checkExplicitSubnet('172.19.0.0/16', allocated, 'lowest-free'));
  assert.doesNotThrow(() => checkExplicitSubnet('10.9.0.0/24', allocated, 'rotating'));
  assert.doesNotThrow(() => checkExplicitSubnet('fd00:2::/64', allocated, 'lowest-free'));
  // Host bits are masked first, as moby's RequestPool does.
  assert.throws(() => checkExplicitSubnet('172.18.9.9/16', allocated, 'lowest-free'), errorIs('forbidden', now));
});

test('sha256 matches the FIPS 180-4 test vectors', () => {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  assert.equal(sha256Hex(bytes('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex(bytes('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    sha256Hex(bytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
  assert.equal(
    sha256Hex(new Uint8Array(1_000_000).fill(0x61)),
    'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  );
});

test('deriveUlaBase: fd + digest bytes 3..7, as a /48', () => {
  assert.equal(deriveUlaBase('abc'), 'fdbf:8f01:cfea::/48'); // ba7816|bf8f01cfea|…
  assert.equal(deriveUlaBase(''), 'fd42:98fc:1c14::/48'); // e3b0c4|4298fc1c14|…
});

test('selectIpv6Subnet: first free /64 of the ULA /48', () => {
  const base = 'fd42:98fc:1c14::/48';
  assert.equal(selectIpv6Subnet([], base), 'fd42:98fc:1c14::/64');
  assert.equal(
    selectIpv6Subnet(['fd42:98fc:1c14::/64', '172.18.0.0/16', 'fd42:98fc:1c14:1::/64'], base),
    'fd42:98fc:1c14:2::/64',
  );
  assert.equal(selectIpv6Subnet(['fd42:98fc:1c14::/63'], base), 'fd42:98fc:1c14:2::/64');
  assert.equal(selectIpv6Subnet(['fd42:98fc:1c14:0:8000::/65'], base), 'fd42:98fc:1c14:1::/64');
  assert.equal(
    selectIpv6Subnet(['fd42:98fc:1c14::/64'], base, ['fd42:98fc:1c14:1::53']),
    'fd42:98fc:1c14:2::/64',
  );
  assert.throws(
    () => selectIpv6Subnet(['fd00::/64', 'fd00:0:0:1::/64'], 'fd00::/63'),
    errorIs('invalid-parameter', EXHAUSTED),
  );
  assert.throws(() => selectIpv6Subnet([], 'fd42:98fc:1c14::/48'.replace('/48', '/96')), EngineError);
  assert.throws(() => selectIpv6Subnet(['fd42::/16'], base), errorIs('invalid-parameter', EXHAUSTED));
});
