import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRuleset, renderTeardown } from './nft-ruleset.js';

test('isolation, internal and masquerade rules in our own table only', () => {
  const text = renderRuleset([
    { bridge: 'br-aaaaaaaaaaaa', subnets: ['172.18.0.0/16'], internal: false, masquerade: true },
    { bridge: 'br-bbbbbbbbbbbb', subnets: ['172.19.0.0/16'], internal: true, masquerade: true },
  ]);
  assert.equal(
    text,
    [
      'table inet crosstalk',
      'delete table inet crosstalk',
      'table inet crosstalk {',
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      '    iifname "br-bbbbbbbbbbbb" ip daddr != 172.19.0.0/16 drop',
      '    oifname "br-bbbbbbbbbbbb" ip saddr != 172.19.0.0/16 drop',
      '    iifname "br-aaaaaaaaaaaa" oifname vmap { "br-bbbbbbbbbbbb" : drop }',
      '    iifname "br-bbbbbbbbbbbb" oifname vmap { "br-aaaaaaaaaaaa" : drop }',
      '  }',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      '    ip saddr 172.18.0.0/16 oifname != "br-aaaaaaaaaaaa" masquerade',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(text, /flush ruleset|table ip filter|table inet filter/);
  assert.equal(renderTeardown(), 'table inet crosstalk\ndelete table inet crosstalk\n');
});

test('published ports: DNAT from outside and from the host, hairpin and localhost masquerade, sorted', () => {
  const nets = [
    { bridge: 'br-aaaaaaaaaaaa', subnets: ['172.18.0.0/16'], subnets6: ['fd00:1::/64'], internal: false, masquerade: true },
    { bridge: 'br-bbbbbbbbbbbb', subnets: ['172.19.0.0/16'], internal: true, masquerade: true },
  ];
  const ports = [
    { proto: 'udp' as const, hostIp: '', hostPort: 53, containerIp: '172.18.0.3', containerPort: 5353 },
    { proto: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 9090, containerIp: '172.18.0.3', containerPort: 80 },
    { proto: 'tcp' as const, hostIp: '', hostPort: 8080, containerIp: 'fd00:1::2', containerPort: 80 },
    { proto: 'tcp' as const, hostIp: '', hostPort: 8080, containerIp: '172.18.0.2', containerPort: 80 },
    { proto: 'tcp' as const, hostIp: '192.0.2.10', hostPort: 8081, containerIp: '172.18.0.2', containerPort: 81 },
    { proto: 'tcp' as const, hostIp: '', hostPort: 8080, containerIp: '172.18.0.2', containerPort: 80 },
  ];
  const text = renderRuleset(nets, ports);
  assert.equal(
    text,
    [
      'table inet crosstalk',
      'delete table inet crosstalk',
      'table inet crosstalk {',
      '  chain forward {',
      '    type filter hook forward priority filter; policy accept;',
      '    iifname "br-bbbbbbbbbbbb" ip daddr != 172.19.0.0/16 drop',
      '    oifname "br-bbbbbbbbbbbb" ip saddr != 172.19.0.0/16 drop',
      '    ct status dnat accept',
      '    iifname "br-aaaaaaaaaaaa" oifname vmap { "br-bbbbbbbbbbbb" : drop }',
      '    iifname "br-bbbbbbbbbbbb" oifname vmap { "br-aaaaaaaaaaaa" : drop }',
      '  }',
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      '    ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 8080 dnat ip to 172.18.0.2:80',
      '    ip daddr 192.0.2.10 tcp dport 8081 dnat ip to 172.18.0.2:81',
      '    ip daddr != 127.0.0.0/8 fib daddr type local udp dport 53 dnat ip to 172.18.0.3:5353',
      '    ip6 daddr != ::1 fib daddr type local tcp dport 8080 dnat ip6 to [fd00:1::2]:80',
      '  }',
      '  chain output {',
      '    type nat hook output priority -100; policy accept;',
      '    meta nfproto ipv4 fib daddr type local tcp dport 8080 dnat ip to 172.18.0.2:80',
      '    ip daddr 192.0.2.10 tcp dport 8081 dnat ip to 172.18.0.2:81',
      '    ip daddr 127.0.0.1 tcp dport 9090 dnat ip to 172.18.0.3:80',
      '    meta nfproto ipv4 fib daddr type local udp dport 53 dnat ip to 172.18.0.3:5353',
      '    ip6 daddr != ::1 fib daddr type local tcp dport 8080 dnat ip6 to [fd00:1::2]:80',
      '  }',
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      '    ct status dnat ip saddr 172.18.0.0/16 oifname "br-aaaaaaaaaaaa" masquerade',
      '    ct status dnat ip6 saddr fd00:1::/64 oifname "br-aaaaaaaaaaaa" masquerade',
      '    ip saddr 127.0.0.0/8 oifname { "br-aaaaaaaaaaaa" } masquerade',
      '    ip saddr 172.18.0.0/16 oifname != "br-aaaaaaaaaaaa" masquerade',
      '    ip6 saddr fd00:1::/64 oifname != "br-aaaaaaaaaaaa" masquerade',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  // Input order does not matter; duplicates collapse.
  assert.equal(renderRuleset(nets, [...ports].reverse()), text);
});

test('no ports: no nat hooks beyond masquerade, no DNAT pass-through in forward', () => {
  const text = renderRuleset([{ bridge: 'br-aaaaaaaaaaaa', subnets: ['172.18.0.0/16'], internal: false, masquerade: false }], []);
  assert.doesNotMatch(text, /dnat|prerouting|output|postrouting/);
});
