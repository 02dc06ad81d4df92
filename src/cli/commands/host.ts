/**
 * crosstalk's own commands: `host` (the simulated host's addresses, routes, nameservers and
 * outside-world names), `reset`, and `tutorial --sim` (the user's walk-through, replayed).
 */
import { SeededRandom, SteppingClock } from '../../core/ports.js';
import { DEFAULT_HOST, type HostModel } from '../../engine/model.js';
import { parseCidr, parseIp } from '../../ipam/ip.js';
import { MemoryStore } from '../../store/store.js';
import { bool, keyValues, list, str } from '../args.js';
import { CliError, type CommandContext, type CommandSpec } from '../command.js';
import { EngineHost } from '../engine-host.js';
import { createContext } from '../context.js';
import { dispatch } from '../main.js';
import { LEFTOVER_COMPOSE_PROJECTS, leftoverNetworkArgv, shellQuote, WALKTHROUGH } from '../tutorial.js';

function describeHost(h: HostModel): string {
  const lines = [`hostname: ${h.hostname}`, 'addresses:'];
  for (const a of h.addresses) lines.push(`  ${a.ifname} ${a.cidr}`);
  lines.push('routes:');
  for (const r of h.routes) lines.push(`  ${r.destination}${r.via ? ` via ${r.via}` : ' scope link'}`);
  lines.push(`nameservers: ${h.nameservers.join(' ') || '(none)'}`);
  lines.push(`search: ${h.searchDomains.join(' ') || '(none)'}`);
  lines.push('outside world:');
  for (const [n, ip] of Object.entries(h.externalHosts)) lines.push(`  ${n} ${ip}`);
  return `${lines.join('\n')}\n`;
}

const host: CommandSpec = {
  path: 'crosstalk host',
  use: 'crosstalk host [show | set [OPTIONS]]',
  // Each list flag given replaces that whole list; flags not given keep their current values.
  short: 'Show or set the simulated host',
  flags: [
    { name: 'address', kind: 'list', description: 'IFNAME=ADDRESS/PREFIX, e.g. eth0=192.168.50.10/24 (replaces all addresses)' },
    { name: 'route', kind: 'list', description: 'CIDR (on-link) or CIDR@GATEWAY, e.g. 0.0.0.0/0@192.168.50.1 (replaces all routes)' },
    { name: 'nameserver', kind: 'list', description: "the host resolver's nameservers (replaces them)" },
    { name: 'search', kind: 'list', description: 'search domains (replaces them)' },
    { name: 'external', kind: 'list', description: 'NAME=IP of the simulated outside world, e.g. lanbox=192.168.50.20 (replaces the table)' },
    { name: 'hostname', kind: 'string', description: "the host's name" },
    { name: 'json', kind: 'bool', description: 'with show: print JSON' },
  ],
  args: { range: [0, 1] },
  async run(ctx, p) {
    const sub = p.positionals[0] ?? 'show';
    if (sub === 'show') {
      const h = await ctx.api.request<HostModel>('GET', '/crosstalk/host');
      ctx.io.stdout(bool(p, 'json') ? `${JSON.stringify(h, null, 2)}\n` : describeHost(h));
      return 0;
    }
    if (sub !== 'set') throw new CliError(`unknown host command "${sub}" (expected show or set)`);
    const patch: Partial<HostModel> = {};
    if (p.given.has('address')) {
      patch.addresses = list(p, 'address').map((v) => {
        const [ifname, cidr] = v.includes('=') ? v.split('=') : ['eth0', v];
        if (!parseCidr(cidr)) throw new CliError(`invalid address "${v}": expected IFNAME=ADDRESS/PREFIX`);
        return { ifname, cidr };
      });
    }
    if (p.given.has('route')) {
      patch.routes = list(p, 'route').map((v) => {
        const [destination, via] = v.split(/\s+via\s+|@/);
        if (!parseCidr(destination) || (via && !parseIp(via))) throw new CliError(`invalid route "${v}": expected CIDR or CIDR@GATEWAY`);
        return via ? { destination, via } : { destination };
      });
    }
    if (p.given.has('nameserver')) {
      for (const ns of list(p, 'nameserver')) if (!parseIp(ns)) throw new CliError(`invalid nameserver "${ns}"`);
      patch.nameservers = list(p, 'nameserver');
    }
    if (p.given.has('search')) patch.searchDomains = list(p, 'search');
    if (p.given.has('external')) {
      const pairs = keyValues(list(p, 'external'));
      for (const [name, ip] of pairs) if (!name || !parseIp(ip)) throw new CliError(`invalid --external "${name}=${ip}": expected NAME=IP`);
      patch.externalHosts = Object.fromEntries(pairs);
    }
    if (str(p, 'hostname')) patch.hostname = str(p, 'hostname');
    const h = await ctx.api.request<HostModel>('POST', '/crosstalk/host', { body: patch });
    ctx.io.stdout(describeHost(h));
    return 0;
  },
};

const reset: CommandSpec = {
  path: 'crosstalk reset',
  use: 'crosstalk reset [OPTIONS]',
  short: 'Forget every network and container (simulation)',
  flags: [{ name: 'compat', kind: 'string' }],
  args: { none: true },
  async run(ctx, p) {
    const compat = str(p, 'compat') || ctx.env.CROSSTALK_COMPAT_GLOBAL || 'default';
    if (compat !== 'default' && compat !== 'legacy') throw new CliError(`invalid --compat "${compat}": expected default or legacy`);
    await ctx.api.request('POST', '/crosstalk/reset', { query: { compat } });
    return 0;
  },
};

/** Runs the walk-through in memory, printing each command and its output. */
export async function runTutorial(ctx: CommandContext, opts: { seed: number }): Promise<number> {
  const tutorialHost = new EngineHost({
    store: new MemoryStore(),
    clock: new SteppingClock(0n),
    random: new SeededRandom(opts.seed),
    profile: 'legacy',
    host: DEFAULT_HOST,
    seed: opts.seed,
  });
  tutorialHost.reset('legacy');
  // Io implementations may be classes: wrap their methods, never spread them.
  const quiet = { stdinIsTty: false, stdout: () => {}, stderr: (s: string) => ctx.io.stderr(s), readLine: async () => null };
  for (const project of LEFTOVER_COMPOSE_PROJECTS) {
    const code = await dispatch(createContext(quiet, tutorialHost, ctx.env), leftoverNetworkArgv(project));
    if (code !== 0) return code;
  }
  for (const step of WALKTHROUGH) {
    if (step.say) ctx.io.stdout(`\n# ${step.say}\n`);
    if (!step.argv) continue;
    ctx.io.stdout(`$ ${step.tool ?? 'docker'} ${step.argv.map(shellQuote).join(' ')}\n`);
    const input = [...(step.input ?? [])];
    const io = {
      stdinIsTty: false,
      stdout: (s: string) => ctx.io.stdout(s),
      stderr: (s: string) => ctx.io.stderr(s),
      readLine: async () => (input.length ? input.shift()! : null),
    };
    await dispatch(createContext(io, tutorialHost, ctx.env), step.argv);
  }
  return 0;
}

const tutorial: CommandSpec = {
  path: 'crosstalk tutorial',
  use: 'crosstalk tutorial [--sim]',
  short: "Replay Docker's networking walk-through",
  flags: [
    { name: 'sim', kind: 'bool' },
    { name: 'seed', kind: 'int' },
  ],
  args: { none: true },
  async run(ctx, p) {
    const sim = () => runTutorial(ctx, { seed: p.given.has('seed') ? (p.flags.get('seed') as number) : 1 });
    if (bool(p, 'sim') || !ctx.realTutorial) return sim();
    return ctx.realTutorial(sim);
  },
};

export const HOST_COMMANDS: Record<string, CommandSpec> = { host, reset, tutorial };
