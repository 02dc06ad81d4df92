/** Test helpers: an in-process CLI with deterministic IDs and time, golden files, normalisation. */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { SeededRandom, SteppingClock } from '../src/core/ports.js';
import { EngineHost } from '../src/cli/engine-host.js';
import { dispatch } from '../src/cli/main.js';
import { createContext } from '../src/cli/context.js';
import { MemoryStore } from '../src/store/store.js';
import type { HostModel } from '../src/engine/model.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

export interface TestCli {
  host: EngineHost;
  store: MemoryStore;
  run(argv: string[] | string, input?: string[]): Promise<RunResult>;
}

/** Splits a command line like a shell would for simple quoted arguments. */
export function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]));
  return out;
}

export function newCli(opts: { profile?: 'default' | 'legacy'; seed?: number; host?: HostModel } = {}): TestCli {
  const store = new MemoryStore();
  const host = new EngineHost({
    store,
    clock: new SteppingClock(1_750_000_000_000_000_000n, 1_000_000_000n),
    random: new SeededRandom(opts.seed ?? 42),
    profile: opts.profile ?? 'default',
    host: opts.host,
  });
  return {
    host,
    store,
    async run(argv, input = []) {
      const args = typeof argv === 'string' ? words(argv.replace(/^(docker|crosstalk)\s+/, '')) : argv;
      let out = '';
      let err = '';
      const queue = [...input];
      const io = {
        stdinIsTty: false,
        stdout: (s: string) => void (out += s),
        stderr: (s: string) => void (err += s),
        readLine: async () => (queue.length ? queue.shift()! : null),
      };
      const code = await dispatch(createContext(io, host, {}), args);
      return { code, out, err };
    },
  };
}

/** Replaces IDs, times, MACs and ping timings with stable placeholders. */
export function normalize(text: string, opts: { macs?: boolean } = {}): string {
  let t = text
    .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
    .replace(/\b[0-9a-f]{12}\b/g, '<ID12>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>')
    .replace(/time=\d+(\.\d+)? ms/g, 'time=<T> ms')
    .replace(/min\/avg\/max = [\d./]+ ms/g, 'min/avg/max = <T> ms');
  if (opts.macs) t = t.replace(/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, '<MAC>');
  return t;
}

/** Compares with test/golden/<name>; UPDATE_GOLDEN=1 rewrites the file. */
export function assertGolden(name: string, actual: string): void {
  const file = join(ROOT, 'test', 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (!existsSync(file) && process.env.CI) assert.fail(`golden file ${name} is missing`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from golden ${name} (UPDATE_GOLDEN=1 to accept)`);
}
