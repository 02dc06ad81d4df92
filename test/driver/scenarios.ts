/**
 * Networking scenarios as data — a topology, operations, and probes with the answer real Docker
 * gives — and the runner that plays one on any Target (simulator or real Linux plane).
 *
 * Address references: `NAME@NET` is container NAME's IPv4 address on network NET, as inspect
 * reported it right after the topology was built (so it still names the address after a stop or
 * disconnect); `gw@NET` is NET's gateway. A probe target without `@` is a host name, resolved by
 * the probing container itself (embedded DNS, or /etc/hosts for --link).
 */
import { addresses, LISTENER, must, pings, pool, resolve, tcpOpen, type Target } from './target.js';

export interface NetworkSpec {
  name: string;
  internal?: boolean;
  /** false: `-o com.docker.network.bridge.enable_icc=false`. */
  icc?: boolean;
}

export interface ContainerSpec {
  name: string;
  /** User networks, in order (the first at `run`, the others by `network connect`); [] = the default bridge; ['none'] = no network. */
  networks: string[];
  /** Network-scoped aliases, given on every user network the container joins. */
  aliases?: string[];
  /** `--link NAME[:ALIAS]` (default bridge only). */
  links?: string[];
}

export type Op =
  | { op: 'connect'; network: string; container: string; aliases?: string[] }
  | { op: 'disconnect'; network: string; container: string }
  | { op: 'stop'; container: string };

export interface Topology {
  networks: NetworkSpec[];
  containers: ContainerSpec[];
  ops?: Op[];
}

export type Probe =
  /** busybox nslookup NAME from `from`: the references of the addresses it returns ([] = does not resolve). */
  | { probe: 'resolve'; from: string; name: string; expect: string[] }
  /** ping -c 1 -W 1 TO: a reply or not. */
  | { probe: 'ping'; from: string; to: string; expect: boolean }
  /** nc -w 1 TO 8080 prints "ok" (the target runs `nc -ll -p 8080 -e echo ok`). */
  | { probe: 'tcp'; from: string; to: string; expect: boolean };

export interface Scenario extends Topology {
  name: string;
  probes: Probe[];
}

// ------------------------------------------------------------------------------------ runner

export interface Built {
  /** `NAME@NET` / `gw@NET` → IPv4 address. */
  refs: Map<string, string>;
  /** Every docker command, as a shell line (the reproducible description of the topology). */
  commands: string[];
}

/** The docker commands that build a topology and apply its operations, in order. */
export function topologyCommands(topo: Topology): string[][] {
  const cmds: string[][] = [];
  for (const n of topo.networks) {
    const args = ['network', 'create'];
    if (n.internal) args.push('--internal');
    if (n.icc === false) args.push('-o', 'com.docker.network.bridge.enable_icc=false');
    cmds.push([...args, n.name]);
  }
  for (const c of topo.containers) {
    const args = ['run', '-d', '--name', c.name];
    const [first, ...rest] = c.networks;
    const user = first !== undefined && first !== 'none';
    if (first !== undefined) args.push('--network', first);
    if (user) for (const a of c.aliases ?? []) args.push('--network-alias', a);
    for (const l of c.links ?? []) args.push('--link', l);
    cmds.push([...args, 'busybox', ...LISTENER]);
    if (user) {
      for (const n of rest) cmds.push(['network', 'connect', ...(c.aliases ?? []).flatMap((a) => ['--alias', a]), n, c.name]);
    }
  }
  return cmds;
}

function opCommand(op: Op): string[] {
  switch (op.op) {
    case 'connect':
      return ['network', 'connect', ...(op.aliases ?? []).flatMap((a) => ['--alias', a]), op.network, op.container];
    case 'disconnect':
      return ['network', 'disconnect', op.network, op.container];
    case 'stop':
      return ['stop', '-t', '1', op.container];
  }
}

export const shellLine = (args: string[]) => `docker ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;

/** Builds the topology on `t`, records the addresses, then applies the operations. */
export async function build(t: Target, topo: Topology): Promise<Built> {
  const refs = new Map<string, string>();
  const commands: string[] = [];
  const exec = async (args: string[]) => {
    commands.push(shellLine(args));
    await must(t, args);
  };
  for (const args of topologyCommands(topo)) await exec(args);
  for (const n of [...topo.networks.map((x) => x.name), 'bridge']) {
    refs.set(`gw@${n}`, await must(t, ['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', n]));
  }
  for (const c of topo.containers) {
    for (const [net, ip] of Object.entries(await addresses(t, c.name))) refs.set(`${c.name}@${net}`, ip);
  }
  for (const op of topo.ops ?? []) {
    await exec(opCommand(op));
    if (op.op === 'connect') {
      const ip = (await addresses(t, op.container))[op.network];
      if (ip) refs.set(`${op.container}@${op.network}`, ip);
    }
  }
  return { refs, commands };
}

/** Turns a probe target into what the container is given: an address, or the name itself. */
export function targetOf(built: Built, to: string): string {
  if (!to.includes('@')) return to;
  const ip = built.refs.get(to);
  if (!ip) throw new Error(`no address recorded for ${to}`);
  return ip;
}

/** Maps addresses back to references (`NAME@NET`), unknown ones stay as they are; sorted. */
export function refsOf(built: Built, ips: string[]): string[] {
  const back = new Map<string, string[]>();
  for (const [ref, ip] of built.refs) back.set(ip, [...(back.get(ip) ?? []), ref]);
  return ips.map((ip) => back.get(ip)?.join('|') ?? ip).sort();
}

export type Answer = string[] | boolean;

/** Runs one probe; resolve answers are address references. */
export async function answer(t: Target, built: Built, p: Probe): Promise<Answer> {
  switch (p.probe) {
    case 'resolve':
      return refsOf(built, await resolve(t, p.from, p.name));
    case 'ping':
      return pings(t, p.from, targetOf(built, p.to));
    case 'tcp':
      return tcpOpen(t, p.from, targetOf(built, p.to));
  }
}

export const probeLabel = (p: Probe) => (p.probe === 'resolve' ? `${p.from} nslookup ${p.name}` : `${p.from} ${p.probe} ${p.to}`);

export interface Outcome {
  probe: Probe;
  got: Answer;
}

/** Independent probes run concurrently (unreachable targets cost ~1 s each on the real plane). */
export const CONCURRENCY = 24;

export async function play(t: Target, s: Scenario): Promise<{ built: Built; outcomes: Outcome[] }> {
  const built = await build(t, s);
  const outcomes = await pool(s.probes, CONCURRENCY, async (probe) => ({ probe, got: await answer(t, built, probe) }));
  return { built, outcomes };
}

/** The probes whose answer differs from the expected one, one line each ('' when all agree). */
export function mismatches(outcomes: Outcome[]): string {
  return outcomes
    .filter((o) => JSON.stringify(o.got) !== JSON.stringify(o.probe.expect))
    .map((o) => `${probeLabel(o.probe)}: expected ${JSON.stringify(o.probe.expect)}, got ${JSON.stringify(o.got)}`)
    .join('\n');
}

// ------------------------------------------------------------------------------------ scenarios

const P = (from: string, to: string, expect: boolean): Probe => ({ probe: 'ping', from, to, expect });
const T = (from: string, to: string, expect: boolean): Probe => ({ probe: 'tcp', from, to, expect });
const R = (from: string, name: string, ...expect: string[]): Probe => ({ probe: 'resolve', from, name, expect });

export const SCENARIOS: Scenario[] = [
  {
    name: 'same network: by name, alias and IP',
    networks: [{ name: 'n1' }],
    containers: [
      { name: 'aa', networks: ['n1'] },
      { name: 'bb', networks: ['n1'], aliases: ['bee'] },
    ],
    probes: [
      R('aa', 'bb', 'bb@n1'),
      R('aa', 'bee', 'bb@n1'),
      R('bb', 'aa', 'aa@n1'),
      P('aa', 'bb@n1', true),
      P('aa', 'bb', true),
      P('aa', 'bee', true),
      T('aa', 'bb@n1', true),
      T('aa', 'bee', true),
      T('bb', 'aa', true),
      P('aa', 'gw@n1', true),
    ],
  },
  {
    name: 'isolation across user networks',
    networks: [{ name: 'n1' }, { name: 'n2' }],
    containers: [
      { name: 'aa', networks: ['n1'] },
      { name: 'cc', networks: ['n2'] },
    ],
    probes: [R('aa', 'cc'), R('cc', 'aa'), P('aa', 'cc@n2', false), P('cc', 'aa@n1', false), T('aa', 'cc@n2', false), T('cc', 'aa@n1', false)],
  },
  {
    name: 'multi-homed container reaches both networks; the others stay apart',
    networks: [{ name: 'n1' }, { name: 'n2' }],
    containers: [
      { name: 'aa', networks: ['n1'] },
      { name: 'cc', networks: ['n2'] },
      { name: 'mm', networks: ['n1', 'n2'] },
    ],
    probes: [
      R('mm', 'aa', 'aa@n1'),
      R('mm', 'cc', 'cc@n2'),
      R('aa', 'mm', 'mm@n1'),
      R('cc', 'mm', 'mm@n2'),
      R('aa', 'cc'),
      P('mm', 'aa@n1', true),
      P('mm', 'cc@n2', true),
      T('mm', 'cc', true),
      P('aa', 'mm@n1', true),
      P('cc', 'mm@n2', true),
      P('aa', 'mm@n2', false),
      P('aa', 'cc@n2', false),
      T('aa', 'cc@n2', false),
    ],
  },
  {
    name: 'ICC off: names resolve, containers do not reach each other, the gateway answers',
    networks: [{ name: 'noicc', icc: false }],
    containers: [
      { name: 'xx', networks: ['noicc'] },
      { name: 'yy', networks: ['noicc'] },
    ],
    probes: [R('xx', 'yy', 'yy@noicc'), P('xx', 'yy@noicc', false), T('xx', 'yy@noicc', false), P('yy', 'xx', false), P('xx', 'gw@noicc', true)],
  },
  {
    name: 'internal network: reach each other, not other networks',
    networks: [{ name: 'inet', internal: true }, { name: 'n1' }],
    containers: [
      { name: 'ii', networks: ['inet'] },
      { name: 'jj', networks: ['inet'] },
      { name: 'aa', networks: ['n1'] },
    ],
    probes: [
      R('ii', 'jj', 'jj@inet'),
      P('ii', 'jj', true),
      T('ii', 'jj@inet', true),
      R('ii', 'aa'),
      P('ii', 'aa@n1', false),
      T('ii', 'aa@n1', false),
      P('aa', 'ii@inet', false),
      T('aa', 'ii@inet', false),
    ],
  },
  {
    name: 'disconnect removes reachability and the name',
    networks: [{ name: 'n1' }, { name: 'n2' }],
    containers: [
      { name: 'aa', networks: ['n1'] },
      { name: 'bb', networks: ['n1', 'n2'] },
      { name: 'cc', networks: ['n2'] },
    ],
    ops: [{ op: 'disconnect', network: 'n1', container: 'bb' }],
    probes: [R('aa', 'bb'), P('aa', 'bb@n1', false), T('aa', 'bb@n1', false), P('bb', 'aa@n1', false), R('cc', 'bb', 'bb@n2'), P('bb', 'cc', true), T('cc', 'bb@n2', true)],
  },
  {
    name: 'a stopped container is unresolvable and unreachable',
    networks: [{ name: 'n1' }],
    containers: [
      { name: 'aa', networks: ['n1'] },
      { name: 'bb', networks: ['n1'], aliases: ['bee'] },
    ],
    ops: [{ op: 'stop', container: 'bb' }],
    probes: [R('aa', 'bb'), R('aa', 'bee'), P('aa', 'bb@n1', false), T('aa', 'bb@n1', false)],
  },
  {
    name: 'default bridge: by IP yes, by name no; --network none reaches nothing',
    networks: [],
    containers: [
      { name: 'cc', networks: [] },
      { name: 'dd', networks: [] },
      { name: 'ee', networks: ['none'] },
    ],
    probes: [
      P('cc', 'dd@bridge', true),
      T('cc', 'dd@bridge', true),
      R('cc', 'dd'),
      P('cc', 'dd', false),
      P('ee', 'cc@bridge', false),
      T('ee', 'cc@bridge', false),
      P('cc', 'gw@bridge', true),
    ],
  },
  {
    name: '--link on the default bridge: the linking container reaches the alias, one way',
    networks: [],
    containers: [
      { name: 'cc', networks: [] },
      { name: 'dd', networks: [], links: ['cc:cee'] },
    ],
    probes: [P('dd', 'cee', true), P('dd', 'cc', true), T('dd', 'cee', true), P('cc', 'dd', false)],
  },
];
