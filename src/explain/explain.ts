/**
 * Why can (or can't) A reach B? Walks name resolution, then routing/isolation/listeners, over the
 * simulated data plane, and returns the steps with their reasons, one verdict, and a fix the
 * user can type. Pure: runs in the browser too.
 */
import { parseIp } from '../ipam/ip.js';
import type { Engine } from '../engine/engine.js';
import { endpointsByPriority } from '../engine/containers.js';
import type { ContainerRecord } from '../engine/model.js';
import type { Listener } from '../sim/listeners.js';
import { NetView, type Proto, type ReachResult } from '../sim/netview.js';

export interface Explanation {
  title: string;
  steps: string[];
  reachable: boolean;
  verdict: string;
  fixes: string[];
}

export interface ExplainQuery {
  from: string;
  to: string;
  port?: number;
  proto: Proto;
}

function describeState(c: ContainerRecord): string {
  if (c.status === 'running') return 'running';
  if (c.status === 'created') return 'created but never started';
  return `exited with code ${c.exitCode}`;
}

/** Networks of a container, by name (its configured attachments). */
function networkNames(engine: Engine, c: ContainerRecord): string[] {
  return c.networks.map((n) => engine.networks.get(n.networkId)?.name ?? n.networkName ?? '?');
}

function fixesForReach(engine: Engine, from: ContainerRecord | 'host', res: ReachResult, targetName: string | undefined, port?: number): string[] {
  const fixes: string[] = [];
  const serverName = res.target?.name ?? targetName;
  if (serverName && /listens on 127\.|::1|loopback/.test(res.reason)) fixes.push(`make the server in ${serverName} listen on 0.0.0.0 (all interfaces), not 127.0.0.1`);
  // `-p` on a host-network container is discarded (Docker warns at create): its server is on the container port.
  if (port !== undefined && !res.target) {
    for (const c of engine.containers.values()) {
      const b = c.networkMode === 'host' ? c.portBindings.find((p) => p.hostPort === port) : undefined;
      if (b) fixes.push(`${c.name} uses the host network, so its published port ${port} was discarded ("Published ports are discarded when using host network mode"); connect to port ${b.containerPort}, where it listens`);
    }
  }
  if (res.target && /published host port|nothing listens on/.test(res.reason)) {
    const published = res.target.portBindings.find((b) => b.hostPort === port);
    if (published) fixes.push(`between containers use the container port: ${res.target.name}:${published.containerPort} (host port ${port} is only for the host and other networks)`);
  }
  if (from !== 'host' && /isolates different bridge networks|Connect .* to/.test(res.reason)) {
    const other = engine.listNetworks().find((n) => res.reason.includes(`bridge network ${n.name}`));
    if (other) fixes.push(`docker network connect ${other.name} ${from.name}`);
  }
  if (/internal networks/.test(res.reason) && from !== 'host') fixes.push(`connect ${from.name} to a non-internal network for outside access`);
  if (/enable_icc=false/.test(res.reason)) fixes.push('inter-container traffic is disabled on that network by design; use a network with ICC enabled');
  return fixes;
}

/** @param observedListeners a real data plane's view of who listens where (see NetView). */
export function explain(engine: Engine, q: ExplainQuery, observedListeners?: (c: ContainerRecord) => Listener[] | undefined): Explanation {
  const view = new NetView(engine, observedListeners);
  const steps: string[] = [];
  const fixes: string[] = [];
  const from = q.from === 'host' ? 'host' : engine.findContainer(q.from);
  const fromName = from === 'host' ? 'the host' : from.name;
  const target = `${q.to}${q.port !== undefined ? `:${q.port}` : ''}${q.proto === 'icmp' ? ' (ping)' : `/${q.proto}`}`;
  const title = `${fromName} → ${target}`;
  const fail = (verdict: string): Explanation => ({ title, steps, reachable: false, verdict, fixes });

  if (from !== 'host') {
    steps.push(`${from.name} is ${describeState(from)}; networks: ${networkNames(engine, from).join(', ') || '(none)'}`);
    if (from.status !== 'running') {
      fixes.push(`docker start ${from.name}`);
      return fail(`${from.name} is not running, so it has no network at all`);
    }
  }

  // 1. Name resolution.
  // The host's /etc/hosts names its loopback `localhost`.
  let address = from === 'host' && q.to.toLowerCase() === 'localhost' ? '127.0.0.1' : q.to;
  const targetContainer = engine.containersByName.get(q.to);
  if (address !== q.to) steps.push(`the host resolves localhost → 127.0.0.1 (its /etc/hosts)`);
  else if (!parseIp(q.to)) {
    if (from === 'host') {
      if (!targetContainer) return fail(`the host resolves ${q.to} with its own resolvers; container names are not in them`);
      const ep = targetContainer.endpoints.find((e) => e.ipv4);
      if (targetContainer.networkMode === 'host' && targetContainer.status === 'running') {
        steps.push(`container names do not resolve on the host; ${targetContainer.name} uses the host's network, so it listens on the host's own addresses: using 127.0.0.1`);
        address = '127.0.0.1';
      } else if (ep?.ipv4) {
        steps.push(`container names do not resolve on the host; using ${targetContainer.name}'s address ${ep.ipv4}`);
        address = ep.ipv4;
      } else {
        fixes.push(`docker start ${targetContainer.name}`);
        return fail(`${targetContainer.name} is ${describeState(targetContainer)} and has no address`);
      }
    } else {
      const res = view.lookup(from, q.to, 4);
      if (res.kind !== 'answer') {
        steps.push(`resolve ${q.to}: ${res.kind === 'nxdomain' ? 'no such name' : res.kind} — ${res.reason}`);
        if (from.networkMode === 'host') {
          // The host's resolver knows no container names, and a host-network container cannot join networks.
          const ep = targetContainer?.endpoints.find((e) => e.ipv4);
          if (targetContainer && ep?.ipv4) fixes.push(`from the host network, use ${targetContainer.name}'s address (${ep.ipv4}${q.port !== undefined ? `:${q.port}` : ''}) or a port it publishes on the host`);
        } else if (targetContainer?.networkMode === 'host') {
          steps.push(`${targetContainer.name} uses the host's network: it has no name or address on any container network`);
          const gw = endpointsByPriority(engine, from).find((e) => e.gateway)?.gateway;
          if (gw) fixes.push(`reach ${targetContainer.name} through the host: ${gw}${q.port !== undefined ? `:${q.port}` : ''} (the gateway of ${from.name}'s network is the host)`);
        } else if (targetContainer) {
          const theirs = networkNames(engine, targetContainer);
          const shared = theirs.filter((n) => networkNames(engine, from).includes(n));
          if (targetContainer.status !== 'running') {
            steps.push(`${targetContainer.name} exists but is ${describeState(targetContainer)}: stopped containers have no address and their names do not resolve`);
            fixes.push(`docker start ${targetContainer.name}` + (targetContainer.status === 'exited' ? ` (and see why it exited: docker logs ${targetContainer.name})` : ''));
          } else if (shared.length === 0) {
            steps.push(`${targetContainer.name} is on ${theirs.join(', ')}; ${from.name} shares none of them`);
            const isUser = (n: string) => !['bridge', 'host', 'none'].includes(n);
            const userNet = theirs.find(isUser);
            const ownUserNet = networkNames(engine, from).find(isUser);
            if (userNet) fixes.push(`docker network connect ${userNet} ${from.name}`);
            else if (ownUserNet) fixes.push(`docker network connect ${ownUserNet} ${targetContainer.name}`);
            else fixes.push(`put both on a user-defined network: docker network create mynet; docker network connect mynet ${from.name}; docker network connect mynet ${targetContainer.name}`);
          } else if (shared.every((n) => n === 'bridge')) {
            steps.push('they share only the default bridge, which has no name resolution (only legacy --link)');
            fixes.push(`use a user-defined network: docker network create mynet; docker network connect mynet ${from.name}; docker network connect mynet ${targetContainer.name}`);
          }
        }
        return fail(`${from.name} cannot resolve ${q.to}`);
      }
      address = res.addresses[0];
      steps.push(`resolve ${q.to} → ${res.addresses.join(', ')} (${res.reason})`);
    }
  }

  // 2. Routing, isolation, listeners.
  const reach = from === 'host' ? view.reachFromHost(address, q.proto, q.port) : view.reach(from, address, q.proto, q.port);
  steps.push(reach.reason);
  fixes.push(...fixesForReach(engine, from, reach, targetContainer?.name, q.port));
  if (reach.outcome === 'ok') return { title, steps, reachable: true, verdict: `reachable: ${fromName} reaches ${target}`, fixes };
  const verdicts: Record<string, string> = {
    refused: 'connection refused',
    'net-unreachable': 'network unreachable (no route)',
    'host-unreachable': 'host unreachable (nothing answers on that network)',
    timeout: 'no reply (dropped)',
  };
  return fail(verdicts[reach.outcome] ?? reach.outcome);
}

export function renderExplanation(e: Explanation): string {
  const lines = [e.title];
  e.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  lines.push(`${e.reachable ? 'YES' : 'NO'}: ${e.verdict}`);
  for (const f of e.fixes) lines.push(`  fix: ${f}`);
  return `${lines.join('\n')}\n`;
}
