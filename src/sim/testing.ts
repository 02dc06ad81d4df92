/**
 * Fixtures for the simulator's tests (and handy in a REPL): deterministic engines, the user's
 * walk-through setup, and an exec helper that captures output and effects.
 */
import { SeededRandom, SteppingClock } from '../core/ports.js';
import { connectContainer, createContainer, startContainer } from '../engine/containers.js';
import { Engine } from '../engine/engine.js';
import type { ContainerRecord } from '../engine/model.js';
import type { ContainerCreateRequest } from '../engine/requests.js';
import type { SimEffect } from './context.js';
import { NetView } from './netview.js';
import { runCommand } from './shell.js';

export function testEngine(profile: 'default' | 'legacy' = 'legacy', seed = 1): Engine {
  return Engine.fresh({ clock: new SteppingClock(1_750_000_000_000_000_000n), random: new SeededRandom(seed) }, { profile });
}

/** `docker run -dit --name NAME [--network NET] IMAGE ash`, started. */
export function runAlpine(engine: Engine, name: string, network = 'default', extra: Partial<ContainerCreateRequest> = {}): ContainerRecord {
  createContainer(engine, { name, image: 'alpine', networkMode: network, tty: true, openStdin: true, cmd: ['ash'], ...extra });
  return startContainer(engine, name);
}

export function run(engine: Engine, req: ContainerCreateRequest): ContainerRecord {
  createContainer(engine, req);
  return startContainer(engine, req.name!);
}

/**
 * The walk-through, steps 1 and 3: six leftover Compose networks (172.18–172.23), `alpine-net`
 * (172.24.0.0/16), alpine1/2 on it, alpine3 on the default bridge, alpine4 on both.
 */
export function walkthrough(profile: 'default' | 'legacy' = 'legacy'): Engine {
  const engine = testEngine(profile);
  for (const n of [
    'dockercompose_default',
    'styles_default',
    'swcarpentryrnovicegapminder914b882_default',
    'swcarpentryrnovicegapminder_default',
    'swcarpentryrnoviceinflammation_default',
    'swcarpentryshellnovice_default',
  ]) {
    engine.createNetwork({ name: n });
  }
  engine.createNetwork({ name: 'alpine-net' });
  runAlpine(engine, 'alpine1', 'alpine-net');
  runAlpine(engine, 'alpine2', 'alpine-net');
  runAlpine(engine, 'alpine3');
  runAlpine(engine, 'alpine4', 'alpine-net');
  connectContainer(engine, 'bridge', 'alpine4', {});
  return engine;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  effects: SimEffect[];
}

export function exec(engine: Engine, container: string, argv: string[], opts: { stdin?: string; tty?: boolean } = {}): ExecResult {
  const res: ExecResult = { code: 0, stdout: '', stderr: '', effects: [] };
  res.code = runCommand(new NetView(engine), engine.findContainer(container), argv, {
    stdout: (s) => (res.stdout += s),
    stderr: (s) => (res.stderr += s),
    effect: (e) => res.effects.push(e),
    stdin: opts.stdin,
    tty: opts.tty,
  });
  return res;
}

/** Shorthand: `sh -c SCRIPT` in a container. */
export function sh(engine: Engine, container: string, script: string): ExecResult {
  return exec(engine, container, ['sh', '-c', script]);
}
