/**
 * The user's walk-through (shared/seed/walkthrough.md) as a replayable script: the same docker
 * commands they typed, on a fresh engine preloaded with the six leftover Compose networks.
 * `crosstalk tutorial --sim` runs it in-process; examples/walkthrough.sh runs the same steps as
 * separate CLI processes against a real state directory.
 */
export interface TutorialStep {
  /** Printed before the command, as a comment line. */
  say?: string;
  /** argv after `docker` (or after `crosstalk` for crosstalk's own commands). */
  argv?: string[];
  tool?: 'docker' | 'crosstalk';
  /** Lines typed into an attached shell (ctrl-p ctrl-q detaches). */
  input?: string[];
}

export const LEFTOVER_COMPOSE_PROJECTS = [
  'dockercompose',
  'styles',
  'swcarpentryrnovicegapminder914b882',
  'swcarpentryrnovicegapminder',
  'swcarpentryrnoviceinflammation',
  'swcarpentryshellnovice',
];

/** `docker network create` argv of a Compose v1 default network. */
export function leftoverNetworkArgv(project: string): string[] {
  return [
    'network', 'create',
    '--label', 'com.docker.compose.network=default',
    '--label', `com.docker.compose.project=${project}`,
    '--label', 'com.docker.compose.version=1.25.0',
    `${project}_default`,
  ];
}

const DETACH = '\x10\x11';

export const WALKTHROUGH: TutorialStep[] = [
  { say: '1. The machine before: six networks left over from Compose projects' },
  { argv: ['network', 'ls'] },
  { say: '2. The default bridge network' },
  { argv: ['run', '-dit', '--name', 'alpine1', 'alpine', 'ash'] },
  { argv: ['run', '-dit', '--name', 'alpine2', 'alpine', 'ash'] },
  { argv: ['network', 'inspect', 'bridge'] },
  { say: 'On the default bridge, containers reach each other by IP but not by name' },
  { argv: ['container', 'attach', 'alpine1'], input: ['ping -c 2 172.17.0.3', 'ping -c 2 alpine2', DETACH] },
  { say: 'ash as PID 1 ignores SIGTERM: each stop waits its 10 s timeout, then kills (exit 137), as with Docker' },
  { argv: ['container', 'stop', 'alpine1', 'alpine2'] },
  { argv: ['container', 'rm', 'alpine1', 'alpine2'] },
  { say: '3. A user-defined bridge network' },
  { argv: ['network', 'create', '--driver', 'bridge', 'alpine-net'] },
  { argv: ['network', 'ls'] },
  { argv: ['run', '-dit', '--name', 'alpine1', '--network', 'alpine-net', 'alpine', 'ash'] },
  { argv: ['run', '-dit', '--name', 'alpine2', '--network', 'alpine-net', 'alpine', 'ash'] },
  { argv: ['run', '-dit', '--name', 'alpine3', 'alpine', 'ash'] },
  { argv: ['run', '-dit', '--name', 'alpine4', '--network', 'alpine-net', 'alpine', 'ash'] },
  { argv: ['network', 'connect', 'bridge', 'alpine4'] },
  { argv: ['network', 'inspect', 'bridge'] },
  { argv: ['network', 'inspect', 'alpine-net'] },
  { say: 'alpine1 reaches alpine2 and alpine4 by name, but not alpine3 (another network), not even by IP' },
  {
    argv: ['container', 'attach', 'alpine1'],
    input: ['ping -c 2 alpine2', 'ping -c 2 alpine4', 'ping -c 2 alpine1', 'ping -c 2 alpine3', 'ping -c 2 -W 1 172.17.0.2', DETACH],
  },
  { say: 'Why? crosstalk explains' },
  { tool: 'crosstalk', argv: ['explain', 'alpine1', 'alpine3'] },
  { say: 'alpine4 is on both networks: it reaches alpine3 by IP on bridge, but not by name' },
  { argv: ['container', 'attach', 'alpine4'], input: ['ping -c 2 alpine1', 'ping -c 2 alpine3', 'ping -c 2 172.17.0.2', DETACH] },
  { say: '4. A second user-defined network joins alpine3 and alpine4' },
  { argv: ['network', 'create', '--driver', 'bridge', 'lapine-net'] },
  { argv: ['network', 'connect', 'lapine-net', 'alpine3'] },
  { argv: ['network', 'connect', 'lapine-net', 'alpine4'] },
  { argv: ['network', 'inspect', 'lapine-net'] },
  { argv: ['exec', 'alpine4', 'ping', '-c', '2', 'alpine3'] },
  { argv: ['exec', 'alpine4', 'ping', '-c', '2', 'alpine2'] },
  { say: 'Why could they not talk? A stopped container has no address and its name no longer resolves' },
  { argv: ['container', 'stop', 'alpine2'] },
  { argv: ['exec', 'alpine1', 'ping', '-c', '1', 'alpine2'] },
  { argv: ['start', 'alpine2'] },
  { argv: ['exec', 'alpine1', 'ping', '-c', '1', 'alpine2'] },
  { say: 'Clean up' },
  { argv: ['container', 'stop', 'alpine1', 'alpine2', 'alpine3', 'alpine4'] },
  { argv: ['container', 'rm', 'alpine1', 'alpine2', 'alpine3', 'alpine4'] },
  { argv: ['network', 'rm', 'alpine-net', 'lapine-net'] },
  { argv: ['network', 'prune', '-f'] },
  { argv: ['network', 'ls'] },
];

/** Shell-quotes an argument for display. */
export function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
