// Golden list and tabwriter outputs, recorded from Go's text/template (Go 1.19) with docker/cli's
// template functions and formatter, run on the same data as testing-fixtures.ts.
// Entries marked with a comment deliberately follow newer Go (docker 28.2.2 is
// built with Go 1.24) or a documented leniency.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderList } from './docker-formatter.js';
import { tabwrite } from './tabwriter.js';
import { TemplateError } from './template-error.js';
import { NETWORK_HEADERS, networkRows } from './testing-fixtures.js';

/** [format, rows ('nets' = 3 networks, 'none'), output, error] */
const LISTS: Array<[string, string, string, string]> = [
  ["table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", "nets", "NETWORK ID     NAME      DRIVER    SCOPE\n17e324f45964   bridge    bridge    local\n0d0b5b2e4c1a   net-10    bridge    local\n6ed54d316334   host      host      local\n", ""],
  ["table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", "none", "NETWORK ID   NAME      DRIVER    SCOPE\n", ""],
  ["table {{.ID}}\\t{{.Name}}", "nets", "NETWORK ID     NAME\n17e324f45964   bridge\n0d0b5b2e4c1a   net-10\n6ed54d316334   host\n", ""],
  ["tablefoo {{.Name}}", "nets", "foo NAME\nfoo bridge\nfoo net-10\nfoo host\n", ""],
  ["{{.Name}}\t{{.Driver}}", "nets", "bridge\tbridge\nnet-10\tbridge\nhost\thost\n", ""],
  ["{{.Name}}\\t{{.Driver}}", "nets", "bridge\tbridge\nnet-10\tbridge\nhost\thost\n", ""],
  ["json", "nets", "{\"CreatedAt\":\"2025-06-01 10:00:00.123456789 +0000 UTC\",\"Driver\":\"bridge\",\"ID\":\"17e324f45964\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"false\",\"Labels\":\"\",\"Name\":\"bridge\",\"Scope\":\"local\"}\n{\"CreatedAt\":\"2025-06-01 10:00:00 +0000 UTC\",\"Driver\":\"bridge\",\"ID\":\"0d0b5b2e4c1a\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"false\",\"Labels\":\"a=1\",\"Name\":\"net-10\",\"Scope\":\"local\"}\n{\"CreatedAt\":\"2025-06-01 10:00:00 +0000 UTC\",\"Driver\":\"host\",\"ID\":\"6ed54d316334\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"false\",\"Labels\":\"\",\"Name\":\"host\",\"Scope\":\"local\"}\n", ""],
  ["table {{.Name}}\t{{.Label \"a\"}}", "nets", "NAME      \nbridge    \nnet-10    1\nhost      \n", ""],
  ["table {{.Name}}\t{{.Nope}}", "nets", "", "template: :1:12: executing \"\" at <.Nope>: can't evaluate field Nope in type *network.networkContext"],
  ["table {{json .}}", "nets", "\n{\"CreatedAt\":\"2025-06-01 10:00:00.123456789 +0000 UTC\",\"Driver\":\"bridge\",\"ID\":\"17e324f45964\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"false\",\"Labels\":\"\",\"Name\":\"bridge\",\"Scope\":\"local\"}\n{\"CreatedAt\":\"2025-06-01 10:00:00 +0000 UTC\",\"Driver\":\"bridge\",\"ID\":\"0d0b5b2e4c1a\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"false\",\"Labels\":\"a=1\",\"Name\":\"net-10\",\"Scope\":\"local\"}\n{\"CreatedAt\":\"2025-06-01 10:00:00 +0000 UTC\",\"Driver\":\"host\",\"ID\":\"6ed54d316334\",\"IPv4\":\"true\",\"IPv6\":\"false\",\"Internal\":\"false\",\"Labels\":\"\",\"Name\":\"host\",\"Scope\":\"local\"}\n", ""],
  ["table {{.Name | upper}}\t{{pad .Driver 1 1}}\t{{truncate .ID 4}}", "nets", "NAME       DRIVER    NETWORK ID\nBRIDGE     bridge    17e3\nNET-10     bridge    0d0b\nHOST       host      6ed5\n", ""],
  ["table {{.ID}}\t{{.Name}}\t{{.IPv4}}\t{{.Internal}}\t{{.Labels}}\t{{.CreatedAt}}", "nets", "NETWORK ID     NAME      IPV4      INTERNAL   LABELS    CREATED AT\n17e324f45964   bridge    true      false                2025-06-01 10:00:00.123456789 +0000 UTC\n0d0b5b2e4c1a   net-10    true      false      a=1       2025-06-01 10:00:00 +0000 UTC\n6ed54d316334   host      true      false                2025-06-01 10:00:00 +0000 UTC\n", ""],
  ["  table {{.Name}}", "nets", "table bridge\ntable net-10\ntable host\n", ""],
  ["network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n", "nets", "network_id: 17e324f45964\nname: bridge\ndriver: bridge\nscope: local\n\nnetwork_id: 0d0b5b2e4c1a\nname: net-10\ndriver: bridge\nscope: local\n\nnetwork_id: 6ed54d316334\nname: host\ndriver: host\nscope: local\n\n", ""],
  ["table", "nets", "\n\n\n\n", ""],
  ["table {{.Name}}\t", "nets", "NAME      \nbridge    \nnet-10    \nhost      \n", ""],
  ["table {{.Name}}\t{{.Nope}}", "none", "NAME      <no value>\n", ""],
  ["{{.Name", "nets", "", "template: :1: unclosed action"],
  ["table {{.Name}}\t{{if eq .Name \"host\"}}x\ty{{end}}\t{{.Driver}}", "nets", "NAME                DRIVER\nbridge              bridge\nnet-10              bridge\nhost      x         y         host\n", ""],
  ["table {{.Name}}:{{.Scope}}", "nets", "NAME:SCOPE\nbridge:local\nnet-10:local\nhost:local\n", ""],
  ["table {{.Name}}\t{{.Labels}}\t{{.Label \"a\"}}\t{{.Driver}}", "none", "NAME      LABELS    \n", ""],
];

/** [text written to Go's tabwriter.NewWriter(w, 10, 1, 3, ' ', 0), output] */
const TABS: Array<[string, string]> = [
  ["a\tb\tc\naa\tbb\tcc\n", "a         b         c\naa        bb        cc\n"],
  ["aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n", "aaaa      bbb       d\naa        b         dd\na         \naa        cccc      eee\n"],
  ["x\n\ty\n\t\tz\n", "x\n          y\n                    z\n"],
  ["no tabs\nat all", "no tabs\nat all"],
  ["a\tb", "a         b"],
  ["a\tb\n", "a         b\n"],
  ["\t\t\n\t\t\n", "                    \n                    \n"],
  ["abcdefghijklmnop\tq\nr\ts\n\nt\tu\n", "abcdefghijklmnop   q\nr                  s\n\nt         u\n"],
  ["a\u000bb\tc\n", "a         b         c\n"],
  ["a\tb\fc\td\n", "a         b\nc         d\n"],
  ["", ""],
  ["\n\n", "\n\n"],
  ["h1\th2\t\nv1\tv2\t\n", "h1        h2        \nv1        v2        \n"],
];

for (const [format, rows, out, err] of LISTS) {
  test(`renderList ${JSON.stringify(format)} (${rows})`, () => {
    let got = { out: '', err: '' };
    try {
      got.out = renderList(format, rows === 'none' ? [] : networkRows(), NETWORK_HEADERS);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      got = { out: '', err: e.message };
    }
    assert.deepEqual(got, { out, err });
  });
}

for (const [text, out] of TABS) {
  test(`tabwrite ${JSON.stringify(text)}`, () => {
    assert.equal(tabwrite(text), out);
  });
}
