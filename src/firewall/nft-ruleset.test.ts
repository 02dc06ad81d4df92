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
