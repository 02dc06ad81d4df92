// Go text/template behaviour, by feature. Expected values were checked
// against Go's own text/template (see template-golden.test.ts for the bulk).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeTemplate, parseTemplate, runTemplate } from './template.js';
import { TemplateError } from './template-error.js';
import { GoFloat, GoNil, GoNumber, GoStruct, GoTime, goTyped } from './go-values.js';
import { JUNE_1_2025, rawNetwork, typedNetwork } from './testing-fixtures.js';

const run = (src: string, data: unknown = {}, missingKey: 'default' | 'error' = 'default') =>
  executeTemplate(parseTemplate(src), data, { missingKey });

function fails(src: string, data: unknown, message: string, missingKey: 'default' | 'error' = 'default') {
  assert.throws(
    () => run(src, data, missingKey),
    (e: unknown) => {
      assert.ok(e instanceof TemplateError, 'expected a TemplateError');
      assert.equal(e.message, message);
      return true;
    },
  );
}

test('text, actions and field chains', () => {
  const d = { A: { B: { C: 'deep' } }, N: 5, S: 'x' };
  assert.equal(run('plain text'), 'plain text');
  assert.equal(run('<{{.S}}>', d), '<x>');
  assert.equal(run('{{.A.B.C}}', d), 'deep');
  assert.equal(run('{{.A.B}}', d), 'map[C:deep]');
  assert.equal(run('{{.Missing}}', d), '<no value>');
  assert.equal(run('{{.Missing.Deeper}}', d), '<no value>');
  assert.equal(run('{{(index .A "B").C}}', d), 'deep');
});

test('printing follows fmt %v', () => {
  const d = { L: ['a', 1, null, true], M: { b: 2, a: [1, 2] }, F: 2.5, I: -3, B: 10n, T: false, E: [], EM: {} };
  assert.equal(run('{{.L}}', d), '[a 1 <nil> true]');
  assert.equal(run('{{.M}}', d), 'map[a:[1 2] b:2]');
  assert.equal(run('{{.F}} {{.I}} {{.B}} {{.T}}', d), '2.5 -3 10 false');
  assert.equal(run('{{.E}} {{.EM}}', d), '[] map[]');
  assert.equal(run('{{1e6}} {{1.0}} {{0.000012345}}', d), '1e+06 1 1.2345e-05');
  assert.equal(run('{{.}}', { F: new GoFloat(3) }), 'map[F:3]');
  assert.equal(run('{{printf "%v %T" .F .F}}', { F: new GoFloat(1e6) }), '1e+06 float64');
});

test('structs print {v1 v2} and pointers are dereferenced once at top level', () => {
  const inner = new GoStruct('*x.Inner', [['A', 1]]);
  const s = new GoStruct('*x.Outer', [
    ['Name', 'n'],
    ['Empty', ''],
    ['Nested', new GoStruct('x.Val', [['X', 'y']])],
    ['Ptr', inner],
    ['NilPtr', new GoNil('*x.Inner')],
    ['NilMap', new GoNil('map[string]string')],
    ['NilSlice', new GoNil('[]string')],
  ]);
  const out = run('{{.}}', s);
  assert.match(out, /^\{n  \{y\} 0xc[0-9a-f]+ <nil> map\[\] \[\]\}$/);
  assert.equal(run('{{.Nested}} {{.Ptr}} {{.NilPtr}}', s), '{y} {1} <nil>');
  assert.equal(run('{{printf "%v" .Ptr}}', s), '&{1}');
  assert.equal(run('{{printf "%+v" .Nested}}', s), '{X:y}');
});

test('fields and methods of structs; method arguments', () => {
  const s = new GoStruct('*network.networkContext', [['ID', 'abc']], {
    Name: () => 'net',
    Label: { params: ['string'], fn: (k) => (k === 'k' ? 'v' : '') },
    Join: { params: ['string'], variadic: 'string', fn: (sep, ...parts) => parts.join(sep as string) },
  });
  assert.equal(run('{{.ID}} {{.Name}} {{.Label "k"}}|{{.Label "x"}}|', s), 'abc net v||');
  assert.equal(run('{{"k" | .Label}}', s), 'v');
  assert.equal(run('{{.Join "-" "a" "b"}}', s), 'a-b');
  fails('{{.Nope}}', s, `template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *network.networkContext`);
  fails('{{.Label}}', s, 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0');
  fails('{{.Label 5}}', s, 'template: :1:9: executing "" at <5>: expected string; found 5');
  fails('{{.ID "x"}}', s, 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function');
  fails('{{.Name "x"}}', s, 'template: :1:2: executing "" at <.Name>: wrong number of args for Name: want 0 got 1');
});

test('method errors are reported as "error calling"', () => {
  const s = new GoStruct('*x.T', [], {
    Boom: () => {
      throw new Error('kaboom');
    },
  });
  fails('{{.Boom}}', s, 'template: :1:2: executing "" at <.Boom>: error calling Boom: kaboom');
});

test('map keys: <no value> by default, an error in missingkey=error mode', () => {
  assert.equal(run('{{.Nope}}', { a: 1 }), '<no value>');
  fails('{{.Nope}}', { a: 1 }, 'template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"', 'error');
  fails('x\n  {{.A.Nope}}', { A: {} }, 'template: :2:6: executing "" at <.A.Nope>: map has no entry for key "Nope"', 'error');
  // Columns are byte offsets.
  fails('é {{.Nope}}', {}, 'template: :1:5: executing "" at <.Nope>: map has no entry for key "Nope"', 'error');
  fails('{{.Name "x"}}', { Name: 'n' }, 'template: :1:2: executing "" at <.Name>: Name is not a method but has arguments');
});

test('pipelines pass the previous result as the LAST argument', () => {
  assert.equal(run('{{"b" | printf "%s-%s" "a"}}'), 'a-b');
  assert.equal(run('{{.N | printf "%d items" | len}}', { N: 3 }), '7');
  assert.equal(run('{{"x" | printf "%s%s" "y" | printf "[%s]"}}'), '[yx]');
  assert.equal(run('{{.S | split "," | len}}', { S: 'a,b,c' }), '1'); // split(",", "a,b,c")
  assert.equal(run('{{split .S "," | len}}', { S: 'a,b,c' }), '3');
  fails('{{.S | 3}}', { S: 1 }, 'template: :1: non executable command in pipeline stage 2');
  fails('{{3 | .S}}', { S: 1 }, 'template: :1:6: executing "" at <.S>: S is not a method but has arguments');
});

test('variables: $, declaration, assignment and block scoping', () => {
  const d = { Name: 'root', L: ['a', 'b'] };
  assert.equal(run('{{$x := .Name}}{{$x}}', d), 'root');
  assert.equal(run('{{range .L}}{{$.Name}}:{{.}} {{end}}', d), 'root:a root:b ');
  assert.equal(run('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}'), '2');
  assert.equal(run('{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}'), '21');
  assert.equal(run('{{$n := 0}}{{range .L}}{{$n = .}}{{end}}{{$n}}', d), 'b');
  assert.equal(run('{{with $v := .Name}}{{$v}}{{end}}', d), 'root');
  fails('{{if true}}{{$y := 1}}{{end}}{{$y}}', d, 'template: :1: undefined variable "$y"');
  fails('{{$z = 1}}', d, 'template: :1:7: executing "" at <1>: undefined variable: $z');
});

test('if / else if / else, with / else, truthiness', () => {
  const d = { T: true, Z: 0, E: '', L: [], M: {}, S: new GoStruct('x.S', []), P: new GoNil('*x.S') };
  assert.equal(run('{{if .T}}y{{else}}n{{end}}', d), 'y');
  assert.equal(run('{{if .Z}}a{{else if .E}}b{{else if .T}}c{{else}}d{{end}}', d), 'c');
  assert.equal(run('{{if .L}}a{{else}}empty{{end}} {{if .M}}a{{else}}empty{{end}}', d), 'empty empty');
  assert.equal(run('{{if .S}}struct{{end}} {{if .P}}p{{else}}nil{{end}}', d), 'struct nil');
  assert.equal(run('{{with .T}}{{.}}{{else}}no{{end}} {{with .Z}}{{.}}{{else}}zero{{end}}', d), 'true zero');
  assert.equal(run('{{with .Missing}}x{{else with .T}}second{{end}}', d), 'second');
});

test('range: slices, maps in sorted key order, $k $v, else, break, continue, integers', () => {
  const d = { L: ['x', 'y', 'z'], M: { zeta: 1, alpha: 2, Mid: 3, '10': 4, '9': 5 }, E: [] };
  assert.equal(run('{{range .L}}{{.}},{{end}}', d), 'x,y,z,');
  assert.equal(run('{{range $i, $e := .L}}{{$i}}={{$e}} {{end}}', d), '0=x 1=y 2=z ');
  assert.equal(run('{{range $k, $v := .M}}{{$k}}:{{$v}} {{end}}', d), '10:4 9:5 Mid:3 alpha:2 zeta:1 ');
  assert.equal(run('{{range .M}}{{.}}{{end}}', d), '45321');
  assert.equal(run('{{range .E}}x{{else}}none{{end}} {{range .Missing}}x{{else}}missing{{end}}', d), 'none missing');
  assert.equal(run('{{range .L}}{{if eq . "y"}}{{break}}{{end}}{{.}}{{end}}', d), 'x');
  assert.equal(run('{{range .L}}{{if eq . "y"}}{{continue}}{{end}}{{.}}{{end}}', d), 'xz');
  assert.equal(run('{{range 3}}{{.}}{{end}}'), '012');
  fails('{{range .S}}{{end}}', { S: 'str' }, `template: :1:8: executing "" at <.S>: range can't iterate over str`);
  fails('{{break}}', d, 'template: :1: {{break}} outside {{range}}');
});

test('trim markers and comments', () => {
  const d = { N: 'x' };
  assert.equal(run('a  {{- .N -}}  b', d), 'axb');
  assert.equal(run('a {{- .N}} b', d), 'ax b');
  assert.equal(run('a\n\n{{- /* comment */ -}}\n b', d), 'ab');
  assert.equal(run('{{/* a comment */}}z', d), 'z');
  assert.equal(run('x {{-3}}', d), 'x -3'); // no space after '-': a negative number
  assert.equal(run('{{range .L -}}\n  {{.}}\n{{- end}}', { L: [1, 2] }), '12');
});

test('literals', () => {
  assert.equal(run('{{"a\\tb\\u00e9\\x41"}}'), 'a\tbéA');
  assert.equal(run('{{`raw\\n`}}'), 'raw\\n');
  assert.equal(run('{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}} {{\'a\'}} {{-5}} {{+7}}'), '31 15 15 5 1000 97 -5 7');
  assert.equal(run('{{1.5}} {{.5}} {{1e3}} {{true}} {{false}}'), '1.5 0.5 1000 true false');
  assert.equal(run('{{print nil}}'), '<nil>');
  fails('{{nil}}', {}, 'template: :1:2: executing "" at <nil>: nil is not a command');
  fails('{{08}}', {}, 'template: :1: integer overflow: "08"');
  fails('{{"\\z"}}', {}, 'template: :1: invalid syntax');
});

test('and / or short-circuit and return the deciding value; not', () => {
  const d = { T: true, F: false, N: 3, S: '' };
  assert.equal(run('{{and .T .N}} {{and .T .F .N}} {{and .S .Boom.X}}', d), '3 false ');
  assert.equal(run('{{or .F .S .N}} {{or .F .S}}', d), '3 ');
  assert.equal(run('{{not .T}} {{not .S}} {{not .Missing}}', d), 'false true true');
  assert.equal(run('{{if and .T (or .F .N)}}yes{{end}}', d), 'yes');
});

test('comparisons: eq with several arguments, ne, lt, le, gt, ge', () => {
  const d = { N: 42, S: 'b', F: 1.5 };
  assert.equal(run('{{eq .N 1 2 42}} {{eq .N 1 2}} {{eq .S "a" "b"}}', d), 'true false true');
  assert.equal(run('{{ne .N 42}} {{lt .N 43}} {{le .N 42}} {{gt .S "a"}} {{ge .F 1.5}}', d), 'false true true true true');
  assert.equal(run('{{lt "Z" "a"}} {{eq .Missing "x"}}', d), 'true false');
  fails('{{eq .N "42"}}', d, 'template: :1:2: executing "" at <eq .N "42">: error calling eq: incompatible types for comparison');
  fails('{{lt true false}}', d, 'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison');
  fails('{{eq .N}}', d, 'template: :1:2: executing "" at <eq .N>: error calling eq: missing argument for comparison');
});

test('len, index, slice', () => {
  const d = {
    S: 'héllo',
    L: ['a', 'b', 'c'],
    M: { k: 'v', n: { deep: 1 } },
    Labels: goTyped({ a: '1' }, 'map[string]string'),
  };
  assert.equal(run('{{len .S}} {{len .L}} {{len .M}} {{len ""}}', d), '6 3 2 0');
  assert.equal(run('{{index .L 1}} {{index .M "k"}} {{index .M "n" "deep"}} {{index .S 0}}', d), 'b v 1 104');
  assert.equal(run('{{index .M "missing"}}|{{index .Labels "missing"}}|', d), '<no value>||');
  assert.equal(run('{{slice .L 1}} {{slice .L 0 2}} {{slice .S 1 3}} {{slice .L}}', d), '[b c] [a b] é [a b c]');
  fails('{{len 3}}', d, 'template: :1:2: executing "" at <len 3>: error calling len: len of type int');
  fails('{{index .L 5}}', d, 'template: :1:2: executing "" at <index .L 5>: error calling index: index out of range: 5');
  fails('{{slice .L 2 1}}', d, 'template: :1:2: executing "" at <slice .L 2 1>: error calling slice: invalid slice index: 2 > 1');
  fails('{{index .M 1}}', d, 'template: :1:2: executing "" at <index .M 1>: error calling index: value has type int; should be string');
});

test('print, println and printf', () => {
  assert.equal(run('{{print "a" 1 2 "b" true}}'), 'a1 2btrue');
  assert.equal(run('{{println "a" 1}}'), 'a 1\n');
  assert.equal(run('{{printf "%s|%5s|%-5s|%q" "ab" "ab" "ab" "ab"}}'), 'ab|   ab|ab   |"ab"');
  assert.equal(run('{{printf "%d|%5d|%-5d|%05d|%x|%X|%o|%b|%c" 42 42 42 42 255 255 8 5 65}}'), '42|   42|42   |00042|ff|FF|10|101|A');
  assert.equal(run('{{printf "%.2f|%8.3f|%e|%g|%v" 3.14159 2.5 1234.5678 0.5 2.5}}'), '3.14|   2.500|1.234568e+03|0.5|2.5');
  assert.equal(run('{{printf "%t %v %v" true false .M}}', { M: { b: 1, a: 2 } }), 'true false map[a:2 b:1]');
  assert.equal(run('{{printf "%d %s" "x" 5}}'), '%!d(string=x) %!s(int=5)');
  assert.equal(run('{{printf "%d %d" 1}}|{{printf "%d" 1 2}}'), '1 %!d(MISSING)|1%!(EXTRA int=2)');
  assert.equal(run('{{printf "%x %X %q" "hi" "hi" "a\\"b"}}'), '6869 6869 "a\\"b"');
  assert.equal(run('{{printf "100%%"}}'), '100%');
});

test('Docker functions: json, split, join, title, lower, upper, pad, truncate', () => {
  const d = { M: { b: '<&>', a: [1, 'x'] }, S: 'a,b,c', N: 'name' };
  assert.equal(run('{{json .M}}', d), '{"a":[1,"x"],"b":"<&>"}');
  assert.equal(run('{{json .S}} {{json .Missing}} {{json 1.5}}', d), '"a,b,c" null 1.5');
  assert.equal(run('{{split .S ","}} {{join (split .S ",") "+"}}', d), '[a b c] a+b+c');
  assert.equal(run('{{title "hello wORLD foo_bar x-y"}}'), 'Hello WORLD Foo_bar X-Y');
  assert.equal(run('{{lower "ABC"}} {{upper "straße"}}'), 'abc STRAßE');
  assert.equal(run('[{{pad .N 2 3}}] [{{pad "" 2 3}}]', d), '[  name   ] []');
  assert.equal(run('{{truncate .N 2}} {{truncate .N 4}} {{truncate .N 10}}', d), 'na name name');
  fails('{{pad .N "a" 1}}', d, 'template: :1:9: executing "" at <"a">: expected integer; found "a"');
  fails('{{upper 5}}', d, 'template: :1:8: executing "" at <5>: expected string; found 5');
  fails('{{upper .Missing}}', d, 'template: :1:8: executing "" at <.Missing>: invalid value; expected string');
});

test('header mode: json/split/join/title/lower/upper/truncate return their argument; pad is kept', () => {
  const t = parseTemplate('{{json .A}}|{{split .A ","}}|{{join .A ","}}|{{title .A}}|{{lower .A}}|{{upper .A}}|{{truncate .A 1}}|{{pad .A 1 1}}', {
    headerMode: true,
  });
  assert.equal(executeTemplate(t, { A: 'NAME x' }), 'NAME x|NAME x|NAME x|NAME x|NAME x|NAME x|NAME x| NAME x ');
});

test('extra functions', () => {
  const t = parseTemplate('{{double 21}} {{greet "bob"}}', {
    extraFuncs: { double: (n: unknown) => (n as number) * 2, greet: { params: ['string'], fn: (s) => `hi ${s}` } },
  });
  assert.equal(executeTemplate(t, {}), '42 hi bob');
});

test('parse errors carry Go texts', () => {
  const cases: Array<[string, string]> = [
    ['{{.Name', 'template: :1: unclosed action'],
    ['{{foo}}', 'template: :1: function "foo" not defined'],
    ['{{if .T}}', 'template: :1: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{.Name}', "template: :1: bad character U+007D '}'"],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{.Name\n\n', 'template: :3: unclosed action started at :1'],
    ['{{range $a, $b, $c := .L}}{{end}}', 'template: :1: too many declarations in range'],
    ['{{(}}', 'template: :1: unclosed left paren'],
    ['{{/* x', 'template: :1: unclosed comment'],
    ['{{@}}', `template: :1: unexpected "@" in command`],
    ['{{1.5.x}}', 'template: :1: unexpected . after term "1.5"'],
  ];
  for (const [src, msg] of cases) {
    assert.throws(() => parseTemplate(src), { name: 'TemplateError', message: msg }, src);
  }
});

test('runTemplate keeps the output written before an error', () => {
  const r = runTemplate(parseTemplate('a{{.X}}b{{.Y "arg"}}c'), { X: 1, Y: 2 });
  assert.equal(r.output, 'a1b');
  assert.equal(r.error?.message, 'template: :1:10: executing "" at <.Y>: Y is not a method but has arguments');
});

test('GoTime prints like time.Time.String() and has Format/Unix methods', () => {
  const d = { T: new GoTime(JUNE_1_2025 + 500_000_000n), Z: new GoTime(JUNE_1_2025) };
  assert.equal(run('{{.T}} | {{.Z}}', d), '2025-06-01 10:00:00.5 +0000 UTC | 2025-06-01 10:00:00 +0000 UTC');
  assert.equal(run('{{.T.Format "2006-01-02 15:04"}} {{.T.Unix}} {{.T.Year}}', d), '2025-06-01 10:00 1748772000 2025');
  assert.equal(run('{{json .T}}', d), '"2025-06-01T10:00:00.5Z"');
});

test('json.Number values from the raw view print as written and are strings', () => {
  const d = { N: new GoNumber('1500000'), F: new GoNumber('1.50') };
  assert.equal(run('{{.N}} {{.F}} {{len .N}} {{eq .N "1500000"}} {{json .}}', d), '1500000 1.50 7 true {"F":1.50,"N":1500000}');
});

test('docker-engine.md §9.2: typed view first, raw JSON with missingkey=error as fallback', () => {
  const inspect = (src: string): string => {
    const t = parseTemplate(src);
    const typed = runTemplate(t, typedNetwork());
    if (!typed.error) return typed.output;
    return executeTemplate(t, rawNetwork(), { missingKey: 'error' });
  };
  const id = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
  assert.equal(inspect('{{.ID}}'), id);
  assert.equal(inspect('{{.Id}}'), id);
  assert.equal(inspect('{{.Created}}'), '2025-06-01 10:00:00.5 +0000 UTC');
  assert.equal(inspect('{{.Id}} {{.Created}}'), `${id} 2025-06-01T10:00:00.5Z`);
  assert.equal(inspect('{{.Labels}}'), 'map[a:1 b:2]');
  assert.equal(inspect('{{.IPAM.Config}}'), '[{10.5.0.0/16  10.5.0.254 map[r:10.5.0.2]}]');
  assert.equal(
    executeTemplate(parseTemplate('{{.IPAM.Config}}'), rawNetwork(), { missingKey: 'error' }),
    '[map[AuxiliaryAddresses:map[r:10.5.0.2] Gateway:10.5.0.254 Subnet:10.5.0.0/16]]',
  );
  assert.equal(
    inspect('{{json .IPAM}}'),
    '{"Driver":"default","Options":{},"Config":[{"Subnet":"10.5.0.0/16","Gateway":"10.5.0.254","AuxiliaryAddresses":{"r":"10.5.0.2"}}]}',
  );
  assert.equal(inspect('{{.ConfigFrom}}'), '{}');
  assert.throws(() => inspect('{{.Id}} {{.ID}}'), {
    message: 'template: :1:10: executing "" at <.ID>: map has no entry for key "ID"',
  });
  assert.throws(() => inspect('{{.Nope}}'), {
    message: 'template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"',
  });
  assert.throws(() => inspect('{{.Name'), { message: 'template: :1: unclosed action' });
});
