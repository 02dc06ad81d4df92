// Docker list formatting: the goldens of docker-engine.md §9.1 and docker/cli's
// TestNetworkContextWrite, plus tabwriter behaviour (display width, blocks).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatterContext, isTableFormat, preFormat, renderList } from './docker-formatter.js';
import { formatGoTimeString } from './go-time.js';
import { tabwrite } from './tabwriter.js';
import { displayWidth } from './display-width.js';
import { TemplateError } from './template-error.js';
import { JUNE_1_2025, NETWORK_HEADERS, networkContext } from './testing-fixtures.js';

const NS = 1_000_000_000n;

interface Net {
  id: string;
  name: string;
  driver: string;
  created?: bigint;
  labels?: Record<string, string> | null;
  ipv4?: boolean;
  internal?: boolean;
}

function rows(nets: Net[], trunc = true) {
  return nets.map((n) =>
    networkContext(
      {
        name: n.name,
        id: n.id,
        driver: n.driver,
        scope: 'local',
        createdNanos: n.created ?? JUNE_1_2025,
        ipv4: n.ipv4 ?? true,
        ipv6: false,
        internal: n.internal ?? false,
        labels: n.labels ?? null,
      },
      trunc,
    ),
  );
}

/** network.NewFormat from docker/cli: what `table`/`raw` (and -q) expand to. */
function newFormat(source: string, quiet: boolean): string {
  if (source === 'table') return quiet ? '{{.ID}}' : 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
  if (source === 'raw') {
    return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  }
  return source;
}

// --- docker/cli TestNetworkContextWrite (10-character IDs, not truncated) ---

const TEST_NETWORKS = rows(
  [
    { id: 'networkID1', name: 'foobar_baz', driver: 'foo', created: 1451606400n * NS },
    { id: 'networkID2', name: 'foobar_bar', driver: 'bar', created: 1483228800n * NS },
  ],
  false,
);

const WRITE_CASES: Array<[string, boolean, string]> = [
  ['table', false, 'NETWORK ID   NAME         DRIVER    SCOPE\nnetworkID1   foobar_baz   foo       local\nnetworkID2   foobar_bar   bar       local\n'],
  ['table', true, 'networkID1\nnetworkID2\n'],
  ['table {{.Name}}', false, 'NAME\nfoobar_baz\nfoobar_bar\n'],
  ['table {{.Name}}', true, 'NAME\nfoobar_baz\nfoobar_bar\n'],
  ['raw', false, 'network_id: networkID1\nname: foobar_baz\ndriver: foo\nscope: local\n\nnetwork_id: networkID2\nname: foobar_bar\ndriver: bar\nscope: local\n\n'],
  ['raw', true, 'network_id: networkID1\nnetwork_id: networkID2\n'],
  ['{{.Name}}', false, 'foobar_baz\nfoobar_bar\n'],
  ['{{.Name}} {{.CreatedAt}}', false, 'foobar_baz 2016-01-01 00:00:00 +0000 UTC\nfoobar_bar 2017-01-01 00:00:00 +0000 UTC\n'],
];

for (const [source, quiet, expected] of WRITE_CASES) {
  test(`TestNetworkContextWrite ${JSON.stringify(source)} quiet=${quiet}`, () => {
    assert.equal(renderList(newFormat(source, quiet), TEST_NETWORKS, NETWORK_HEADERS), expected);
  });
}

test('TestNetworkContextWrite errors', () => {
  assert.throws(() => renderList('{{InvalidFunction}}', TEST_NETWORKS, NETWORK_HEADERS), {
    name: 'TemplateError',
    message: 'template: :1: function "InvalidFunction" not defined',
  });
  assert.throws(() => renderList('{{nil}}', TEST_NETWORKS, NETWORK_HEADERS), {
    message: 'template: :1:2: executing "" at <nil>: nil is not a command',
  });
});

test('TestNetworkContextWriteJSON: zero values and the zero time', () => {
  const zero = networkContext(
    {
      name: 'foobar_baz',
      id: 'networkID1',
      driver: '',
      scope: '',
      createdNanos: -62135596800n * NS,
      ipv4: false,
      ipv6: false,
      internal: false,
      labels: null,
    },
    false,
  );
  assert.equal(
    renderList('{{json .}}', [zero], NETWORK_HEADERS),
    '{"CreatedAt":"0001-01-01 00:00:00 +0000 UTC","Driver":"","ID":"networkID1","IPv4":"false","IPv6":"false","Internal":"false","Labels":"","Name":"foobar_baz","Scope":""}\n',
  );
  assert.equal(renderList('{{json .ID}}', [zero], NETWORK_HEADERS), '"networkID1"\n');
});

// --- docker-engine.md §9.1 goldens ---

test('real `docker network ls` output: 12-char IDs make the first column 15 wide', () => {
  const nets = rows([
    { id: '0d0b5b2e4c1a0d0b5b2e4c1a', name: 'alpine-net', driver: 'bridge' },
    { id: '17e324f4596417e324f45964', name: 'bridge', driver: 'bridge' },
    { id: '6ed54d3163346ed54d316334', name: 'host', driver: 'host' },
    { id: '7092879f2cc87092879f2cc8', name: 'none', driver: 'null' },
  ]);
  assert.equal(
    renderList('table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}', nets, NETWORK_HEADERS),
    'NETWORK ID     NAME         DRIVER    SCOPE\n' +
      '0d0b5b2e4c1a   alpine-net   bridge    local\n' +
      '17e324f45964   bridge       bridge    local\n' +
      '6ed54d316334   host         host      local\n' +
      '7092879f2cc8   none         null      local\n',
  );
});

test('the header is printed when no network matches', () => {
  assert.equal(
    renderList('table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}', [], NETWORK_HEADERS),
    'NETWORK ID   NAME      DRIVER    SCOPE\n',
  );
});

test('custom table with IPV4, INTERNAL, LABELS and CREATED AT (--no-trunc)', () => {
  const nets = rows(
    [
      { id: 'a'.repeat(64), name: 'bridge', driver: 'bridge', created: JUNE_1_2025 + 123456789n },
      { id: 'b'.repeat(64), name: 'net-10', driver: 'bridge', labels: { b: '2', a: '1' } },
    ],
    false,
  );
  const out = renderList(
    'table {{.ID}}\\t{{.Name}}\\t{{.IPv4}}\\t{{.Internal}}\\t{{.Labels}}\\t{{.CreatedAt}}',
    nets,
    NETWORK_HEADERS,
  );
  assert.equal(
    out,
    'NETWORK ID                                                         NAME      IPV4      INTERNAL   LABELS    CREATED AT\n' +
      `${'a'.repeat(64)}   bridge    true      false                2025-06-01 10:00:00.123456789 +0000 UTC\n` +
      `${'b'.repeat(64)}   net-10    true      false      b=2,a=1   2025-06-01 10:00:00 +0000 UTC\n`,
  );
});

test('any format starting with "table" is a table: tablefoo', () => {
  const nets = rows([{ id: '0123456789ab', name: 'n1', driver: 'bridge' }]);
  assert.equal(renderList('tablefoo {{.Name}}', nets, NETWORK_HEADERS), 'foo NAME\nfoo n1\n');
});

test('a plain template keeps a real tab, unaligned', () => {
  const nets = rows([{ id: '0123456789ab', name: 'n1', driver: 'bridge' }]);
  assert.equal(renderList('{{.Name}}\t{{.Driver}}', nets, NETWORK_HEADERS), 'n1\tbridge\n');
  assert.equal(renderList('{{.Name}}\\t{{.Driver}}', nets, NETWORK_HEADERS), 'n1\tbridge\n');
});

test('--format json prints {{json .}} per row: sorted keys, string values', () => {
  const nets = rows([{ id: '0123456789ccdd', name: 'net-2', driver: 'bridge', internal: true }]);
  assert.equal(
    renderList('json', nets, NETWORK_HEADERS),
    '{"CreatedAt":"2025-06-01 10:00:00 +0000 UTC","Driver":"bridge","ID":"0123456789cc","IPv4":"true","IPv6":"false","Internal":"true","Labels":"","Name":"net-2","Scope":"local"}\n',
  );
});

test('formatter.MarshalJSON escapes HTML (json.Marshal) inside {{json .}}', () => {
  const nets = rows([{ id: '0123456789ab', name: 'a<b>', driver: 'x&y' }]);
  const out = renderList('{{json .}}', nets, NETWORK_HEADERS);
  assert.match(out, /"Driver":"x\\u0026y"/);
  assert.match(out, /"Name":"a\\u003cb\\u003e"/);
  // The json function itself does not escape HTML.
  assert.equal(renderList('{{json .Name}}', nets, NETWORK_HEADERS), '"a<b>"\n');
});

test('header row: a method call stops the header (a map has no methods), as Docker ignores header errors', () => {
  const nets = rows([{ id: '0123456789ab', name: 'n1', driver: 'bridge', labels: { k: 'v' } }]);
  assert.equal(renderList('table {{.Name}}\t{{.Label "k"}}', nets, NETWORK_HEADERS), 'NAME      \nn1        v\n');
  // Header functions keep titles intact; pad still pads.
  assert.equal(
    renderList('table {{lower .Name}}\t{{pad .Driver 1 0}}|{{truncate .Scope 2}}', nets, NETWORK_HEADERS),
    'NAME       DRIVER|SCOPE\nn1         bridge|lo\n',
  );
});

test('row errors abort the whole listing', () => {
  const nets = rows([{ id: '0123456789ab', name: 'n1', driver: 'bridge' }]);
  assert.throws(() => renderList('table {{.Name}}\t{{.Nope}}', nets, NETWORK_HEADERS), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(
      e.message,
      `template: :1:12: executing "" at <.Nope>: can't evaluate field Nope in type *network.networkContext`,
    );
    return true;
  });
  assert.throws(() => renderList('{{.Name', nets, NETWORK_HEADERS), { message: 'template: :1: unclosed action' });
});

test('preFormat and isTableFormat', () => {
  assert.equal(preFormat('table {{.ID}}\\t{{.Name}}'), '{{.ID}}\t{{.Name}}');
  assert.equal(preFormat('  {{.ID}}\\n  '), '{{.ID}}\n');
  assert.equal(preFormat('json'), '{{json .}}');
  assert.equal(preFormat('{{.A}}\\\\t'), '{{.A}}\\\t');
  assert.equal(isTableFormat('tablefoo'), true);
  assert.equal(isTableFormat(' table'), false);
});

test('formatterContext: methods are fields; zero-argument ones make the JSON', () => {
  const ctx = formatterContext('*x.ctx', {
    B: () => 'b',
    A: () => 'a',
    Get: { params: ['string'], fn: (k) => `got ${k as string}` },
  });
  assert.equal(renderList('{{.A}}{{.B}} {{.Get "k"}} {{json .}}', [ctx], {}), 'ab got k {"A":"a","B":"b"}\n');
});

// --- tabwriter ---

test('tabwriter: the block algorithm (Go doc example)', () => {
  assert.equal(
    tabwrite('aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n', { minwidth: 0, padding: 1 }),
    'aaaa bbb d\naa   b   dd\na    \naa   cccc eee\n',
  );
});

test('tabwriter: minwidth 10 and padding 3 by default; a wide header sets the width', () => {
  assert.equal(tabwrite('NETWORK ID\tNAME\n0123456789ab\tn\n'), 'NETWORK ID     NAME\n0123456789ab   n\n');
  assert.equal(tabwrite('A\tB\nx\ty\n'), 'A         B\nx         y\n');
  assert.equal(tabwrite('LONG HEADER TEXT\tB\nx\ty\n'), 'LONG HEADER TEXT   B\nx                  y\n');
});

test('tabwriter: East Asian wide characters count 2 cells, combining marks 0', () => {
  assert.equal(displayWidth('网络'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
  assert.equal(displayWidth('ｆｕｌｌ'), 8);
  assert.equal(displayWidth('😀'), 2);
  assert.equal(tabwrite('NAME\tDRIVER\n网络名称\tbridge\nabc\thost\n'), 'NAME       DRIVER\n网络名称   bridge\nabc        host\n');
  assert.equal(tabwrite('é\tx\ne\u0301\ty\n'), 'é         x\ne\u0301         y\n');
});

test('tabwriter: the trailing cell is never padded; text without a final newline is kept', () => {
  assert.equal(tabwrite('a\tb\nccc\td'), 'a         b\nccc       d');
  assert.equal(tabwrite('no tabs at all\n'), 'no tabs at all\n');
});

test('formatGoTimeString is what CreatedAt shows', () => {
  assert.equal(formatGoTimeString(JUNE_1_2025 + 123456789n), '2025-06-01 10:00:00.123456789 +0000 UTC');
});
