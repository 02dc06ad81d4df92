import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/errors.js';
import { ipamConfigFromFlags, validateIpamConfig, type IpamConfigEntry } from './validate.js';

type Flags = Parameters<typeof ipamConfigFromFlags>[0];
const flags = (f: Partial<Flags>): Flags => ({ subnets: [], ipRanges: [], gateways: [], auxAddresses: [], ...f });

/** Asserts the CLI-side check fails with exactly `message` (a plain Error, not an EngineError). */
function cliFails(f: Partial<Flags>, message: string) {
  assert.throws(
    () => ipamConfigFromFlags(flags(f)),
    (e: unknown) => e instanceof Error && !(e instanceof EngineError) && e.message === message,
    message,
  );
}

/** Asserts daemon validation fails with a 400 whose message is exactly these lines. */
function daemonFails(entries: IpamConfigEntry[], lines: string[], enableIPv6 = true) {
  const expected = `invalid network config:\n${lines.map((l) => `* ${l}`).join('\n')}`;
  assert.throws(
    () => validateIpamConfig(entries, enableIPv6),
    (e: unknown) => e instanceof EngineError && e.kind === 'invalid-parameter' && e.message === expected,
    expected,
  );
}

// --- §4.1 CLI-side checks, in Docker's order --------------------------------------------------

test('CLI: more gateways or ranges than subnets (IPAM-12)', () => {
  cliFails({ gateways: ['10.0.0.1'] }, 'every ip-range or gateway must have a corresponding subnet');
  cliFails({ ipRanges: ['10.0.0.0/25'] }, 'every ip-range or gateway must have a corresponding subnet');
  // The count check runs first: two gateways for one subnet is not the "multiple gateways" text.
  cliFails(
    { subnets: ['10.0.0.0/24'], gateways: ['10.0.0.1', '10.0.0.2'] },
    'every ip-range or gateway must have a corresponding subnet',
  );
});

test('CLI: overlapping subnets (IPAM-13)', () => {
  cliFails({ subnets: ['10.0.0.0/24', '10.0.0.0/16'] }, 'multiple overlapping subnet configuration is not supported');
  cliFails({ subnets: ['10.0.0.0/16', '10.0.5.0/24'] }, 'multiple overlapping subnet configuration is not supported');
  cliFails({ subnets: ['10.0.0.0/24', '10.0.0.0/24'] }, 'multiple overlapping subnet configuration is not supported');
  // Different families never overlap.
  assert.equal(ipamConfigFromFlags(flags({ subnets: ['10.0.0.0/8', 'fd00::/64'] })).length, 2);
});

test('CLI: unparsable subnet when compared with another', () => {
  cliFails({ subnets: ['10.1.0.0/24', 'bogus'] }, 'invalid subnet: invalid CIDR address: bogus');
  // The earlier subnet is parsed as the *data* side: Go's bare ParseCIDR error, no prefix.
  cliFails({ subnets: ['10.1.0.300/24', '10.2.0.0/24'] }, 'invalid CIDR address: 10.1.0.300/24');
  cliFails(
    { subnets: ['10.1.0.300/24'], gateways: ['10.1.0.1'] },
    'invalid subnet: invalid CIDR address: 10.1.0.300/24',
  );
});

test('CLI: a single malformed subnet is sent as is (rejected by the daemon)', () => {
  assert.deepEqual(ipamConfigFromFlags(flags({ subnets: ['10.1.0.300/24'] })), [{ Subnet: '10.1.0.300/24' }]);
  assert.deepEqual(ipamConfigFromFlags(flags({ subnets: ['10.1.0.5/24'], gateways: ['10.1.0.1'] })), [
    { Subnet: '10.1.0.5/24', Gateway: '10.1.0.1' },
  ]);
  // net.ParseCIDR tolerates leading zeros in the length; the daemon's netip does not.
  assert.deepEqual(ipamConfigFromFlags(flags({ subnets: ['10.1.0.0/024'], gateways: ['10.1.0.1'] })), [
    { Subnet: '10.1.0.0/024', Gateway: '10.1.0.1' },
  ]);
});

test('CLI: second range for the same subnet', () => {
  cliFails(
    { subnets: ['10.1.0.0/16', '10.2.0.0/16'], ipRanges: ['10.1.1.0/24', '10.1.2.0/24'] },
    'cannot configure multiple ranges (10.1.2.0/24, 10.1.1.0/24) on the same subnet (10.1.0.0/16)',
  );
});

test('CLI: range inside no subnet', () => {
  cliFails({ subnets: ['10.1.0.0/16'], ipRanges: ['10.9.0.0/24'] }, 'no matching subnet for range 10.9.0.0/24');
  cliFails({ subnets: ['10.1.0.0/16'], ipRanges: ['10.1.0.300/24'] }, 'invalid CIDR address: 10.1.0.300/24');
});

test('CLI: second gateway for the same subnet', () => {
  cliFails(
    { subnets: ['10.1.0.0/16', '10.2.0.0/16'], gateways: ['10.1.0.1', '10.1.0.2'] },
    'cannot configure multiple gateways (10.1.0.2, 10.1.0.1) for the same subnet (10.1.0.0/16)',
  );
});

test('CLI: gateway inside no subnet', () => {
  cliFails({ subnets: ['10.1.0.0/16'], gateways: ['10.9.0.1'] }, 'no matching subnet for gateway 10.9.0.1');
  cliFails({ subnets: ['10.1.0.0/16'], gateways: ['not-an-ip'] }, 'no matching subnet for gateway not-an-ip');
  cliFails({ subnets: ['10.1.0.0/16'], gateways: ['fd00::1'] }, 'no matching subnet for gateway fd00::1');
});

test('CLI: aux address inside no subnet', () => {
  cliFails(
    { subnets: ['10.1.0.0/16'], auxAddresses: [['host', '10.9.0.5']] },
    'no matching subnet for aux-address 10.9.0.5',
  );
});

test('CLI: ranges, gateways and aux addresses land on their subnets; order is subnet order', () => {
  const out = ipamConfigFromFlags(
    flags({
      subnets: ['172.28.0.0/16', '2001:db8:abcd::/64'],
      ipRanges: ['172.28.5.0/24'],
      gateways: ['2001:db8:abcd::1', '172.28.5.254'],
      auxAddresses: [
        ['a', '172.28.1.5'],
        ['b', '2001:db8:abcd::5'],
        ['a', '172.28.1.6'], // repeated name: last value wins
      ],
    }),
  );
  assert.deepEqual(out, [
    { Subnet: '172.28.0.0/16', IPRange: '172.28.5.0/24', Gateway: '172.28.5.254', AuxiliaryAddresses: { a: '172.28.1.6' } },
    { Subnet: '2001:db8:abcd::/64', Gateway: '2001:db8:abcd::1', AuxiliaryAddresses: { b: '2001:db8:abcd::5' } },
  ]);
  assert.equal(
    JSON.stringify(out[0]),
    '{"Subnet":"172.28.0.0/16","IPRange":"172.28.5.0/24","Gateway":"172.28.5.254","AuxiliaryAddresses":{"a":"172.28.1.6"}}',
  );
  // IPv4-mapped gateway matches an IPv4 subnet (net.IPNet.Contains uses To4).
  assert.deepEqual(ipamConfigFromFlags(flags({ subnets: ['10.0.0.0/8'], gateways: ['::ffff:10.0.0.1'] })), [
    { Subnet: '10.0.0.0/8', Gateway: '::ffff:10.0.0.1' },
  ]);
  assert.deepEqual(ipamConfigFromFlags(flags({})), []);
});

// --- §4.2 daemon validation ------------------------------------------------------------------

test('daemon: subnet with host bits (IPAM-11)', () => {
  daemonFails([{ Subnet: '10.1.0.5/24' }], ['invalid subnet 10.1.0.5/24: it should be 10.1.0.0/24']);
  assert.throws(
    () => validateIpamConfig([{ Subnet: '10.1.0.5/24' }], false),
    { message: 'invalid network config:\n* invalid subnet 10.1.0.5/24: it should be 10.1.0.0/24' },
  );
  daemonFails([{ Subnet: '2001:DB8::1/64' }], ['invalid subnet 2001:db8::1/64: it should be 2001:db8::/64']);
});

test('daemon: subnet not a CIDR skips the rest of the entry', () => {
  daemonFails(
    [{ Subnet: '10.1.0.300/24', Gateway: 'junk', IPRange: 'junk' }],
    ['invalid subnet 10.1.0.300/24: invalid CIDR block notation'],
  );
  daemonFails([{ Subnet: '10.1.0.0/024' }], ['invalid subnet 10.1.0.0/024: invalid CIDR block notation']);
  daemonFails([{}], ['invalid subnet : invalid CIDR block notation']);
  // Reported even when IPv6 is off: the family is unknown until the subnet parses.
  daemonFails([{ Subnet: 'fd00::/129' }], ['invalid subnet fd00::/129: invalid CIDR block notation'], false);
});

test('daemon: ip-range problems', () => {
  daemonFails(
    [{ Subnet: '10.10.10.0/24', IPRange: 'foobar' }],
    ['invalid ip-range foobar: invalid CIDR block notation'],
  );
  daemonFails(
    [{ Subnet: '10.0.0.0/8', IPRange: 'fd00::/64' }],
    ['invalid ip-range fd00::/64: parent subnet is an IPv4 block'],
  );
  daemonFails(
    [{ Subnet: 'fd00::/48', IPRange: '10.0.0.0/24' }],
    ['invalid ip-range 10.0.0.0/24: parent subnet is an IPv6 block'],
  );
  daemonFails(
    [{ Subnet: '10.10.10.0/24', IPRange: '10.0.0.0/8' }],
    ['invalid ip-range 10.0.0.0/8: CIDR block is bigger than its parent subnet 10.10.10.0/24'],
  );
  daemonFails(
    [{ Subnet: '10.0.0.0/8', IPRange: '10.10.10.0/16' }],
    ['invalid ip-range 10.10.10.0/16: it should be 10.10.0.0/16'],
  );
  daemonFails(
    [{ Subnet: '10.0.0.0/8', IPRange: '192.168.0.0/24' }],
    ["invalid ip-range 192.168.0.0/24: parent subnet 10.0.0.0/8 doesn't contain ip-range"],
  );
});

test('daemon: gateway problems', () => {
  daemonFails([{ Subnet: '10.0.0.0/8', Gateway: '1001.10.5.3' }], ['invalid gateway 1001.10.5.3: invalid address']);
  daemonFails(
    [{ Subnet: '10.0.0.0/8', Gateway: 'fd00::1' }],
    ['invalid gateway fd00::1: parent subnet is an IPv4 block'],
  );
  daemonFails(
    [{ Subnet: '10.0.0.0/8', Gateway: '192.168.0.1' }],
    ["invalid gateway 192.168.0.1: parent subnet 10.0.0.0/8 doesn't contain this address"],
  );
  // Go's ParseAddr accepts zones; a zoned address is simply never inside a prefix.
  daemonFails(
    [{ Subnet: 'fe80::/64', Gateway: 'fe80::1%eth0' }],
    ["invalid gateway fe80::1%eth0: parent subnet fe80::/64 doesn't contain this address"],
  );
});

test('daemon: aux address problems', () => {
  daemonFails(
    [{ Subnet: '10.10.10.0/24', AuxiliaryAddresses: { DefaultGatewayIPv4: 'dummy' } }],
    ['invalid auxiliary address DefaultGatewayIPv4: invalid address'],
  );
  daemonFails(
    [{ Subnet: '10.10.10.0/24', AuxiliaryAddresses: { h: 'fd00::1' } }],
    ['invalid auxiliary address h: parent subnet is an IPv4 block'],
  );
  daemonFails(
    [{ Subnet: '10.10.10.0/24', AuxiliaryAddresses: { h: '10.10.11.1' } }],
    ["invalid auxiliary address h: parent subnet 10.10.10.0/24 doesn't contain this address"],
  );
});

test('daemon: all problems are collected, entry by entry', () => {
  daemonFails(
    [
      {
        Subnet: '10.0.0.0/8',
        IPRange: '192.168.0.1/24',
        Gateway: '192.168.0.1',
        AuxiliaryAddresses: { DefaultGatewayIPv4: '192.168.0.1' },
      },
      { Subnet: '10.1.0.5/24' },
    ],
    [
      'invalid ip-range 192.168.0.1/24: it should be 192.168.0.0/24',
      "invalid ip-range 192.168.0.1/24: parent subnet 10.0.0.0/8 doesn't contain ip-range",
      "invalid gateway 192.168.0.1: parent subnet 10.0.0.0/8 doesn't contain this address",
      "invalid auxiliary address DefaultGatewayIPv4: parent subnet 10.0.0.0/8 doesn't contain this address",
      'invalid subnet 10.1.0.5/24: it should be 10.1.0.0/24',
    ],
  );
  // "parent subnet" prints the subnet as written, host bits included.
  daemonFails(
    [{ Subnet: '10.0.0.5/24', Gateway: '10.0.1.1' }],
    ['invalid subnet 10.0.0.5/24: it should be 10.0.0.0/24', "invalid gateway 10.0.1.1: parent subnet 10.0.0.5/24 doesn't contain this address"],
  );
});

test('daemon: IPv6 entries are skipped entirely when IPv6 is disabled', () => {
  const bad: IpamConfigEntry[] = [{ Subnet: '2001:db8::1/64', Gateway: '10.0.0.1', IPRange: 'junk' }];
  assert.doesNotThrow(() => validateIpamConfig(bad, false));
  daemonFails(bad, [
    'invalid subnet 2001:db8::1/64: it should be 2001:db8::/64',
    'invalid ip-range junk: invalid CIDR block notation',
    'invalid gateway 10.0.0.1: parent subnet is an IPv6 block',
  ]);
});

test('daemon: valid configurations pass', () => {
  assert.doesNotThrow(() => validateIpamConfig([], false));
  assert.doesNotThrow(() =>
    validateIpamConfig(
      [
        { Subnet: '10.0.0.0/8', IPRange: '10.10.0.0/16', Gateway: '10.10.0.1', AuxiliaryAddresses: { DefaultGatewayIPv4: '10.10.0.1' } },
        { Subnet: '2001:db8:abcd::/64', Gateway: '2001:db8:abcd::1' },
      ],
      true,
    ),
  );
  // An ip-range equal to its subnet is fine.
  assert.doesNotThrow(() => validateIpamConfig([{ Subnet: '172.28.0.0/16', IPRange: '172.28.0.0/16' }], false));
});
