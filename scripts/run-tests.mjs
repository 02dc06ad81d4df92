// Runs every *.test.ts with node's test runner. Node 20 does not expand globs, so the files are
// found here. The full TAP goes to test-results.tap; the terminal gets failures and the summary.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = [...find('src'), ...find('test')].sort();
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
const verbose = process.env.TEST_VERBOSE === '1';
const tap = createWriteStream('test-results.tap');
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=2', '--test-timeout=180000', ...selected], {
  stdio: ['ignore', 'pipe', 'inherit'],
});

// A test file whose process never exits (a handle left open) must fail the run, not hang CI.
const WATCHDOG_MS = Number(process.env.TEST_WATCHDOG_MS ?? 12 * 60 * 1000);
const watchdog = setTimeout(() => {
  console.log(`watchdog: the test run exceeded ${WATCHDOG_MS / 60000} minutes; killing it (see test-results.tap for the last test)`);
  child.kill('SIGKILL');
}, WATCHDOG_MS);
watchdog.unref();

let buffer = '';
let inFailure = false;
const counts = {};
child.stdout.on('data', (chunk) => {
  tap.write(chunk);
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (verbose) {
      console.log(line);
      continue;
    }
    // Top-level summary lines, e.g. "# pass 12".
    const m = /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\S+)$/.exec(line);
    if (m) {
      counts[m[1]] = m[2];
      console.log(line);
      continue;
    }
    if (/^\s*not ok /.test(line)) inFailure = true;
    else if (/^\s*ok /.test(line)) inFailure = false;
    if (inFailure) console.log(line);
  }
});

child.on('close', (code, signal) => {
  clearTimeout(watchdog);
  tap.end();
  if (signal) code = 1;
  console.log(`${files.length === selected.length ? 'all' : selected.length} test files; full TAP in test-results.tap`);
  console.log(`${counts.pass ?? 0} passed, ${counts.fail ?? 0} failed${counts.skipped && counts.skipped !== '0' ? `, ${counts.skipped} skipped` : ''}`);
  process.exit(code ?? 1);
});
