/**
 * The mini shell: parsing and running the one-liners containers run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { literalWord, parseScript, simpleCommands, ShellSyntaxError } from './script.js';
import { commandsOf, getopt, shellScriptOf, stripWrappers } from './argv.js';
import { sh, testEngine, runAlpine } from './testing.js';

const words = (src: string) => simpleCommands(parseScript(src)).map((c) => c.words.map((w) => literalWord(w)));

test('quotes, escapes and operators', () => {
  assert.deepEqual(words(`echo 'a b' "c d" e\\ f`), [['echo', 'a b', 'c d', 'e f']]);
  assert.deepEqual(words('a && b || c; d & e | f'), [['a'], ['b'], ['c'], ['d'], ['e'], ['f']]);
  assert.deepEqual(words(`nginx -g 'daemon off;'`), [['nginx', '-g', 'daemon off;']]);
  assert.deepEqual(words('# comment\necho hi # trailing'), [['echo', 'hi']]);
  assert.deepEqual(words('while true; do echo x; sleep 1; done'), [['true'], ['echo', 'x'], ['sleep', '1']]);
  assert.deepEqual(words('if nc -z db 5432; then echo up; else echo down; fi'), [['nc', '-z', 'db', '5432'], ['echo', 'up'], ['echo', 'down']]);
  assert.throws(() => parseScript("echo 'unterminated"), ShellSyntaxError);
  assert.throws(() => parseScript('&& x'), ShellSyntaxError);
  assert.throws(() => parseScript('for i in 1 2; do echo $i; done'), /not supported/);
});

test('shell -c detection and wrappers', () => {
  assert.equal(shellScriptOf(['sh', '-c', 'echo hi']), 'echo hi');
  assert.equal(shellScriptOf(['/bin/sh', '-ec', 'x']), 'x');
  assert.equal(shellScriptOf(['bash', '-lc', 'y']), 'y');
  assert.equal(shellScriptOf(['sh']), undefined);
  assert.equal(shellScriptOf(['python', '-c', 'x']), undefined);
  assert.deepEqual(stripWrappers(['exec', 'env', 'A=1', 'nohup', 'nginx']), ['nginx']);
  assert.deepEqual(getopt(['-lkp', '80', 'host'], 'lkp:').flags.get('p'), ['80']);
  assert.equal(getopt(['-x'], 'a').error, "invalid option -- 'x'");
});

test('commandsOf flattens nested shells', () => {
  const engine = testEngine();
  const c = runAlpine(engine, 'nest', 'default', { cmd: ['sh', '-c', `sh -c 'nc -lk -p 80' & exec sleep infinity`] });
  assert.deepEqual(commandsOf(c), [['nc', '-lk', '-p', '80'], ['sleep', 'infinity']]);
});

test('running scripts: status, variables, redirections, pipes, command substitution', () => {
  const engine = testEngine();
  runAlpine(engine, 'box');
  const r = (s: string) => sh(engine, 'box', s);
  assert.deepEqual([r('false; echo $?').stdout, r('false || echo no && echo yes').stdout], ['1\n', 'no\nyes\n']);
  assert.equal(r('X=1; Y="$X two"; echo "$Y" ${Z:-dflt}').stdout, '1 two dflt\n');
  assert.equal(r('echo out; echo err >&2').stderr, 'err\n');
  assert.deepEqual([r('echo hidden >/dev/null 2>&1').stdout, r('cat /nope 2>/dev/null || echo gone').stdout], ['', 'gone\n']);
  assert.equal(r('echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f').stdout, 'one\ntwo\n');
  assert.equal(r('echo "host: $(hostname)" | grep -c host').stdout, '1\n');
  assert.equal(r('echo hi | cat').stdout, 'hi\n');
  assert.equal(r('exit 3; echo never').code, 3);
  assert.equal(r('( exit 4 ); echo $?').stdout, '4\n');
  assert.equal(r('if [ "$(hostname)" = "nope" ]; then echo a; elif test 1 -lt 2; then echo b; fi').stdout, 'b\n');
  assert.equal(r('! true; echo $?').stdout, '1\n');
  assert.equal(r('printf "%s-%d\\n" a 7').stdout, 'a-7\n');
  assert.equal(r("echo 'unterminated").stderr, 'sh: unterminated quoted string\n');
  assert.equal(r('bash -c "echo hi"').stderr, 'sh: bash: not found\n');
  assert.equal(r('which ping nc; which nope; echo $?').stdout, '/usr/bin/ping\n/usr/bin/nc\n1\n');
});
