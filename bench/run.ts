/**
 * `npm run bench`: runs each benchmark in its own process (so peak RSS belongs to that benchmark)
 * and prints one table: median, p99, goal and ratio to the goal. Never part of the test suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEngineBench } from './engine.bench.js';
import { runIpamBench } from './ipam.bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

interface Row {
  bench: string;
  median: string;
  p99: string;
  memory: string;
  goal: string;
  ratio: string;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function maxRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function child(which: string): Promise<void> {
  if (which === 'engine') {
    const rows = runEngineBench();
    process.stdout.write(JSON.stringify({ rows, maxRssMB: maxRssMB() }));
  } else if (which === 'ipam') {
    const rows = await runIpamBench();
    process.stdout.write(JSON.stringify({ rows, maxRssMB: maxRssMB() }));
  }
}

function runChild(which: string, runs: number): Array<{ rows: Array<{ name: string; ms: number }>; maxRssMB: number }> {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const json = execFileSync(process.execPath, [join(here, 'bench.js'), '--child', which], { encoding: 'utf8', maxBuffer: 1 << 24 });
    out.push(JSON.parse(json));
  }
  return out;
}

function summarize(name: string, samples: number[], memoryMB: number, goalMs: number, goalMB: number | undefined): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    bench: name,
    median: `${median.toFixed(1)} ms`,
    p99: `${quantile(sorted, 0.99).toFixed(1)} ms`,
    memory: memoryMB > 0 ? `${memoryMB.toFixed(0)} MB` : "—",
    goal: `< ${goalMs} ms${goalMB ? `, < ${goalMB} MB` : ''}`,
    ratio: `${(median / goalMs).toFixed(2)}× of goal`,
  };
}

function cliBench(runs: number): Row {
  const dir = mkdtempSync(join(tmpdir(), 'crosstalk-bench-'));
  const bin = join(root, 'bin', 'crosstalk.js');
  const env = { ...process.env, CROSSTALK_STATE_DIR: dir };
  try {
    for (let i = 0; i < 100; i++) {
      if (i < 97) execFileSync(process.execPath, [bin, 'network', 'create', '--subnet', `10.${i}.0.0/16`, `bench-${i}`], { env, stdio: 'ignore' });
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [bin, 'network', 'ls'], { env, encoding: 'utf8' });
      times.push(performance.now() - t0);
      if (res.status !== 0 || res.stdout.split('\n').length !== 102) throw new Error(`network ls failed: ${res.stderr}`);
    }
    return summarize('CLI: cold `crosstalk network ls`, 100 networks', times, 0, 150, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1]);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const rows: Row[] = [];
  const engine = runChild('engine', runs);
  for (const name of engine[0].rows.map((r) => r.name)) {
    const samples = engine.map((e) => e.rows.find((r) => r.name === name)!.ms);
    const total = name === 'sim engine total';
    rows.push(summarize(`sim: ${name}`, samples, total ? Math.max(...engine.map((e) => e.maxRssMB)) : 0, total ? 3000 : 3000, total ? 300 : undefined));
  }
  const ipam = runChild('ipam', runs);
  for (const name of ipam[0].rows.map((r) => r.name)) {
    rows.push(summarize(`IPAM: ${name}`, ipam.map((e) => e.rows.find((r) => r.name === name)!.ms), Math.max(...ipam.map((e) => e.maxRssMB)), 2000, 64));
  }
  rows.push(cliBench(Math.max(runs * 4, 20)));
  const cols: Array<keyof Row> = ['bench', 'median', 'p99', 'memory', 'goal', 'ratio'];
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(cols.map((c) => r[c])));
  console.log(`\nmemory = peak RSS of the benchmark process (whole process, Node included); runs = ${runs}; node ${process.version}`);
  void execFileSync;
}

await main();
