// Test data for the format tests: the same values the Go reference programs
// used when the expected outputs were recorded (Go 1.19 text/template with
// docker/cli's template functions and formatter). Not used at run time.

import { parseJsonUseNumber } from './go-json.js';
import { GoStruct, GoTime, goTyped } from './go-values.js';
import { formatterContext } from './docker-formatter.js';
import { formatGoTimeString } from './go-time.js';

const NS = 1_000_000_000n;
/** 2025-06-01T10:00:00Z in Unix nanoseconds. */
export const JUNE_1_2025 = 1748772000n * NS;

export function rawData(): Record<string, unknown> {
  return {
    Name: 'n1',
    Num: 42,
    Neg: -7,
    F: 2.5,
    T: true,
    Fa: false,
    S: 'héllo wörld',
    Empty: '',
    Nil: null,
    L: ['a', 'b', 'c'],
    IL: [3, 1, 2],
    EL: [],
    M: { b: 2, a: 1, c: 'x' },
    EM: {},
    Nested: { Inner: { Deep: 'yes' }, List: [{ k: 'v' }] },
    Labels: { 'com.example.a': '1', b: '2' },
    SS: 'a,b,c',
    HTML: '<a&b>',
    Spaces: '  x  ',
    Big: 1234567,
  };
}

export const RAW_NETWORK_JSON =
  '{"Name":"net1","Id":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","Created":"2025-06-01T10:00:00.5Z","Scope":"local","Driver":"bridge","EnableIPv4":true,"EnableIPv6":false,"IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.5.0.0/16","Gateway":"10.5.0.254","AuxiliaryAddresses":{"r":"10.5.0.2"}}]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigFrom":{"Network":""},"ConfigOnly":false,"Containers":{},"Options":{},"Labels":{"a":"1","b":"2"},"Num":1500000,"Flt":1.50,"Null":null}';

/** The raw view: the API JSON decoded with UseNumber, as docker's inspect fallback does. */
export function rawNetwork(): unknown {
  return parseJsonUseNumber(RAW_NETWORK_JSON);
}

const stringMap = (m: Record<string, string>) => goTyped(m, 'map[string]string');

/** The typed view of a network (moby api/types/network.Inspect, trimmed). */
export function typedNetwork(): GoStruct {
  const ipamConfig = new GoStruct('network.IPAMConfig', [
    ['Subnet', '10.5.0.0/16', ',omitempty'],
    ['IPRange', '', ',omitempty'],
    ['Gateway', '10.5.0.254', ',omitempty'],
    ['AuxAddress', stringMap({ r: '10.5.0.2' }), 'AuxiliaryAddresses,omitempty'],
  ]);
  return new GoStruct('*network.Inspect', [
    ['Name', 'net1'],
    ['ID', '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Id'],
    ['Created', new GoTime(JUNE_1_2025 + 500_000_000n)],
    ['Scope', 'local'],
    ['Driver', 'bridge'],
    ['EnableIPv4', true],
    ['EnableIPv6', false],
    [
      'IPAM',
      new GoStruct('network.IPAM', [
        ['Driver', 'default'],
        ['Options', stringMap({})],
        ['Config', goTyped([ipamConfig], '[]network.IPAMConfig')],
      ]),
    ],
    ['Internal', false],
    ['Attachable', false],
    ['Ingress', false],
    ['ConfigFrom', new GoStruct('network.ConfigReference', [['Network', '']])],
    ['ConfigOnly', false],
    ['Containers', goTyped({}, 'map[string]network.EndpointResource')],
    ['Options', stringMap({})],
    ['Labels', stringMap({ a: '1', b: '2' })],
  ]);
}

export interface NetworkSummary {
  name: string;
  id: string;
  driver: string;
  scope: string;
  createdNanos: bigint;
  ipv4: boolean;
  ipv6: boolean;
  internal: boolean;
  labels: Record<string, string> | null;
}

/** docker/cli's *network.networkContext for one network (`docker network ls` rows). */
export function networkContext(n: NetworkSummary, trunc = true): GoStruct {
  return formatterContext('*network.networkContext', {
    ID: () => (trunc ? n.id.slice(0, 12) : n.id),
    Name: () => n.name,
    Driver: () => n.driver,
    Scope: () => n.scope,
    IPv4: () => String(n.ipv4),
    IPv6: () => String(n.ipv6),
    Internal: () => String(n.internal),
    Labels: () => (n.labels ? Object.entries(n.labels).map(([k, v]) => `${k}=${v}`).join(',') : ''),
    Label: { params: ['string'], fn: (k) => n.labels?.[k as string] ?? '' },
    CreatedAt: () => formatGoTimeString(n.createdNanos),
  });
}

export const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

export function ctxData(): GoStruct {
  return networkContext({
    name: 'net-2',
    id: '0123456789ccddeeff',
    driver: 'bridge',
    scope: 'local',
    createdNanos: JUNE_1_2025,
    ipv4: true,
    ipv6: false,
    internal: true,
    labels: { k: 'v&<x>' },
  });
}

export function networkRows(): GoStruct[] {
  const mk = (name: string, id: string, driver: string, nanos: bigint, labels: Record<string, string> | null) =>
    networkContext({
      name,
      id,
      driver,
      scope: 'local',
      createdNanos: JUNE_1_2025 + nanos,
      ipv4: true,
      ipv6: false,
      internal: false,
      labels,
    });
  return [
    mk('bridge', '17e324f45964aaaa', 'bridge', 123456789n, null),
    mk('net-10', '0d0b5b2e4c1abbbb', 'bridge', 0n, { a: '1' }),
    mk('host', '6ed54d316334cccc', 'host', 0n, {}),
  ];
}

export function dataSet(name: string): unknown {
  switch (name) {
    case 'raw':
      return rawData();
    case 'rawjson':
      return rawNetwork();
    case 'net':
      return typedNetwork();
    case 'ctx':
      return ctxData();
    case 'nil':
      return null;
  }
  throw new Error(`unknown data set ${name}`);
}
