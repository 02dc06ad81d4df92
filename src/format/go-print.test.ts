// fmt printing, float formatting, quoting and JSON encoding (values checked
// against Go's fmt, strconv and encoding/json).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, sprint, sprintln } from './go-print.js';
import { sprintf } from './go-printf.js';
import { formatFloat } from './go-float.js';
import { quote } from './go-quote.js';
import { encodeJson, parseJsonUseNumber } from './go-json.js';
import { GoFloat, GoNil, GoNumber, GoStruct, GoTime, goTyped } from './go-values.js';

test('sprintf verbs, flags, width and precision', () => {
  assert.equal(sprintf('%5s|%-5s|%q|%x|%X', ['ab', 'ab', 'a"b\n\u00e9\x01', 'hé', 'hi']), '   ab|ab   |"a\\"b\\né\\x01"|68c3a9|6869');
  assert.equal(sprintf('%x|%o|%b|%c|%q|%U|%08.3f|%+d|% d|%#x', [-255, 8, 5, 65, 65, 0x1f600, -3.14159, 5, 5, 255]), "-ff|10|101|A|'A'|U+1F600|-003.142|+5| 5|0xff");
  assert.equal(sprintf('%6.2v|%.3v|%10v|%-10v|', [3.14159, 'abcdef', [1, 2], true]), '   3.1|abc|[         1          2]|true      |');
  assert.equal(sprintf('%*d|%-*d|%.*f', [5, 42, 4, 7, 2, 3.14159]), '   42|7   |3.14');
  assert.equal(sprintf('%[2]s %[1]s', ['a', 'b']), 'b a');
  assert.equal(sprintf('%T %T %T %T %T %T', ['s', 1, 1.5, [], {}, null]), 'string int float64 []interface {} map[string]interface {} <nil>');
});

test('sprintf error forms', () => {
  assert.equal(sprintf('%d %d', [1]), '1 %!d(MISSING)');
  assert.equal(sprintf('%d', [1, 'x']), '1%!(EXTRA string=x)');
  assert.equal(sprintf('%z', [1]), '%!z(int=1)');
  assert.equal(sprintf('%!', []), '%!!(MISSING)');
  assert.equal(sprintf('%d', ['x']), '%!d(string=x)');
  assert.equal(sprintf('%s', [null]), '%!s(<nil>)');
  assert.equal(sprintf('%[3]d', [1]), '%!d(BADINDEX)');
  assert.equal(sprintf('%', []), '%!(NOVERB)');
  assert.equal(sprintf('%d', [[1, 'a']]), '[1 %!d(string=a)]');
});

test('float formatting matches strconv (round half to even on exact values)', () => {
  assert.equal(sprintf('%.0f %.0f %.0f %.1f %.2f', [0.5, 1.5, 2.5, 0.05, 1.005]), '0 2 2 0.1 1.00');
  // Integral float64 values need GoFloat (a whole JS number is a Go int).
  assert.equal(
    sprint([new GoFloat(1e6), new GoFloat(123456), new GoFloat(1234567), 0.0001, 0.00001, 1e20, 1e21]),
    '1e+06 123456 1.234567e+06 0.0001 1e-05 1e+20 1e+21',
  );
  assert.equal(sprint([1e6]), '1000000');
  assert.equal(formatFloat(1234.5678, 'e', 6), '1.234568e+03');
  assert.equal(formatFloat(0, 'e', -1), '0e+00');
  assert.equal(formatFloat(1, 'g', 3), '1');
  assert.equal(formatFloat(-0.000012345, 'g', -1), '-1.2345e-05');
  assert.equal(formatFloat(Infinity, 'g', -1), '+Inf');
  assert.equal(sprintf('%v|%5.1f|%x|%b', [NaN, -Infinity, 2.5, 2.5]), 'NaN| -Inf|0x1.4p+01|5629499534213120p-51');
  assert.equal(formatValue(new GoFloat(2)), '2');
  assert.equal(formatValue(new GoFloat(1e6)), '1e+06');
});

test('print and println spacing', () => {
  assert.equal(sprint(['a', 1, 2, 'b', 3.5, true, false]), 'a1 2b3.5 true false');
  assert.equal(sprint([new GoNumber('5'), 6]), '56');
  assert.equal(sprintln(['a', 1, 2]), 'a 1 2\n');
});

test('%v of containers, structs, pointers, typed nils, times', () => {
  const s = new GoStruct('x.S', [
    ['A', 'a'],
    ['B', ''],
    ['T', new GoTime(1748772000500000000n)],
  ]);
  assert.equal(formatValue(s), '{a  2025-06-01 10:00:00.5 +0000 UTC}');
  assert.equal(formatValue(new GoStruct('*x.S', [['A', 1]])), '&{1}');
  assert.equal(formatValue(new GoStruct('*x.S', [['A', 1]]), true), '{1}');
  assert.equal(formatValue({ b: null, a: [null] }), 'map[a:[<nil>] b:<nil>]');
  assert.equal(formatValue(new GoNil('map[string]string')), 'map[]');
  assert.equal(formatValue(new GoNil('*x.S')), '<nil>');
  assert.equal(formatValue(new GoStruct('x.IP', [], {}, { string: () => '10.0.0.1' })), '10.0.0.1');
});

test('strconv.Quote', () => {
  assert.equal(quote('Nope'), '"Nope"');
  assert.equal(quote('tab\there\u00a0\u2028😀'), '"tab\\there\\u00a0\\u2028😀"');
  assert.equal(quote('\x7f\\'), '"\\x7f\\\\"');
});

test('encodeJson: Go key order, escaping, numbers, struct tags', () => {
  assert.equal(encodeJson({ b: 1, a: [true, null, 'x'] }, false), '{"a":[true,null,"x"],"b":1}');
  assert.equal(encodeJson('<&>\u2028\x01\b\f\n"\\', false), '"<&>\\u2028\\u0001\\b\\f\\n\\"\\\\"');
  assert.equal(encodeJson('<&>', true), '"\\u003c\\u0026\\u003e"');
  assert.equal(encodeJson([1.5, 1e21, 1e-7, 100, new GoFloat(2), 10n], false), '[1.5,1e+21,1e-7,100,2,10]');
  const cfg = new GoStruct('network.IPAMConfig', [
    ['Subnet', '10.5.0.0/16', ',omitempty'],
    ['IPRange', '', ',omitempty'],
    ['Gateway', '10.5.0.254', ',omitempty'],
    ['AuxAddress', goTyped({}, 'map[string]string'), 'AuxiliaryAddresses,omitempty'],
    ['Secret', 'x', '-'],
  ]);
  assert.equal(encodeJson(cfg, false), '{"Subnet":"10.5.0.0/16","Gateway":"10.5.0.254"}');
  assert.equal(encodeJson(new GoNil('[]string'), false), 'null');
  assert.equal(encodeJson(new GoTime(1748772000000000000n), false), '"2025-06-01T10:00:00Z"');
});

test('parseJsonUseNumber keeps number literals', () => {
  const v = parseJsonUseNumber('{"a": 1.50, "b": [1e3, -0], "c": null, "d": "x\\u00e9", "__proto__": 1}') as Record<string, unknown>;
  assert.ok(v.a instanceof GoNumber && v.a.text === '1.50');
  assert.deepEqual((v.b as GoNumber[]).map((n) => n.text), ['1e3', '-0']);
  assert.equal(v.c, null);
  assert.equal(v.d, 'xé');
  assert.ok(Object.prototype.hasOwnProperty.call(v, '__proto__'));
  assert.equal(encodeJson(v, false), '{"__proto__":1,"a":1.50,"b":[1e3,-0],"c":null,"d":"xé"}');
  assert.throws(() => parseJsonUseNumber('{"a":}'), SyntaxError);
});
