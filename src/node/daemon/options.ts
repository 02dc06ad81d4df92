/** `crosstalkd` flags, dockerd-style: repeatable `-H`, `--flag value` or `--flag=value`. */
import { defaultSocketPath, defaultStateDir } from '../state-dir.js';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export type Listen = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export interface DaemonOptions {
  listen: Listen[];
  dataPlane: string;
  stateDir: string;
  logLevel: LogLevelName;
  pidfile: string;
  compat?: 'default' | 'legacy';
  /** Run the linux data plane inside a private network namespace that plays the host. */
  sandbox: boolean;
  /** Remove what a killed `--sandbox` daemon left (processes, namespace, runtime files) and exit. */
  cleanup: boolean;
  /** The user really wants the linux data plane in the machine's own network namespace. */
  hostNamespace: boolean;
  /** Upstream resolvers for the embedded DNS (`none`: no forwarding; default: none in a sandbox, else the host's). */
  dnsUpstreams?: string[];
  help?: boolean;
  version?: boolean;
}

export const USAGE = `Usage:  crosstalkd [OPTIONS]

crosstalk's Docker Engine API daemon (API 1.50; paths /v1.24 … /v1.51): the docker CLI, docker-compose and SDKs
drive it with DOCKER_HOST=unix://<socket>.

Options:
  -H, --host list           Where to listen: unix:///path (default
                            /run/crosstalk/crosstalk.sock as root, else
                            $XDG_RUNTIME_DIR/crosstalk/crosstalk.sock) or tcp://127.0.0.1:PORT
      --data-plane string   sim (simulated) or linux (real namespaces, bridges, veths,
                            nftables and containers; needs root) (default "sim")
      --sandbox             The real data plane (implies --data-plane linux) inside a private
                            network namespace that plays the host; a clean exit removes it
      --cleanup             With --sandbox: remove what a killed daemon left behind, then exit
      --host-namespace      With --data-plane linux: really change this machine's network
                            (bridges, veths, nftables in its own namespace), as dockerd does
      --dns-upstream list   Resolvers the embedded DNS forwards unknown names to, or "none"
                            (SERVFAIL for them, as Docker without resolvers). Default: the
                            host's resolv.conf; with --sandbox no forwarding, and unknown
                            names get NXDOMAIN (a sandbox has no outside world)
      --state-dir string    State directory (default $CROSSTALK_STATE_DIR, /var/lib/crosstalk as
                            root, else ~/.local/state/crosstalk)
  -l, --log-level string    debug, info, warn or error (default "info")
  -p, --pidfile string      Pid file (default <state-dir>/crosstalkd.pid)
      --compat string       default (Engine 28.2) or legacy (Engine 26); fixed when the state
                            is created
  -h, --help                Print usage
  -v, --version             Print version information and quit
`;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/;

export function parseListen(value: string): Listen {
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (path === '') throw new Error(`invalid host "${value}": empty socket path`);
    return { kind: 'unix', path };
  }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(value);
  if (m) {
    const host = m[1];
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new Error(`invalid host "${value}": bad port`);
    if (!LOOPBACK.test(host)) {
      throw new Error(`refusing to listen on ${value}: the API has no authentication; use a loopback address (tcp://127.0.0.1:PORT)`);
    }
    return { kind: 'tcp', host: host.replace(/^\[|\]$/g, ''), port };
  }
  throw new Error(`invalid host "${value}" (expected unix:///path or tcp://127.0.0.1:PORT)`);
}

export function parseDaemonArgs(argv: string[], env: NodeJS.ProcessEnv): DaemonOptions {
  const hosts: string[] = [];
  let dataPlane = 'sim';
  let stateDir: string | undefined;
  let logLevel: LogLevelName = 'info';
  let pidfile: string | undefined;
  let compat: 'default' | 'legacy' | undefined = env.CROSSTALK_COMPAT === 'legacy' || env.CROSSTALK_COMPAT === 'default' ? env.CROSSTALK_COMPAT : undefined;
  let help = false;
  let version = false;
  let sandbox = false;
  let cleanup = false;
  let hostNamespace = false;
  let dnsUpstreams: string[] | undefined;
  const names: Record<string, string> = { '-H': 'host', '--host': 'host', '--data-plane': 'data-plane', '--state-dir': 'state-dir', '-l': 'log-level', '--log-level': 'log-level', '-p': 'pidfile', '--pidfile': 'pidfile', '--compat': 'compat', '--dns-upstream': 'dns-upstream' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    if (a === '-v' || a === '--version') {
      version = true;
      continue;
    }
    if (a === '--sandbox' || a === '--cleanup' || a === '--host-namespace') {
      if (a === '--sandbox') sandbox = true;
      else if (a === '--cleanup') cleanup = true;
      else hostNamespace = true;
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const name = names[flag];
    if (!name) throw new Error(a.startsWith('-') ? `unknown flag: ${a}` : `unexpected argument: ${a}`);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new Error(`flag needs an argument: ${flag}`);
      value = argv[++i];
    }
    if (name === 'host') hosts.push(value);
    else if (name === 'data-plane') dataPlane = value;
    else if (name === 'state-dir') stateDir = value;
    else if (name === 'dns-upstream') dnsUpstreams = value === 'none' ? [] : [...(dnsUpstreams ?? []), ...value.split(',').filter(Boolean)];
    else if (name === 'pidfile') pidfile = value;
    else if (name === 'log-level') {
      if (!['debug', 'info', 'warn', 'error'].includes(value)) throw new Error(`invalid log level "${value}" (expected debug, info, warn or error)`);
      logLevel = value as LogLevelName;
    } else if (name === 'compat') {
      if (value !== 'default' && value !== 'legacy') throw new Error(`invalid argument "${value}" for "--compat" flag: expected "default" or "legacy"`);
      compat = value;
    }
  }
  const dir = stateDir ?? defaultStateDir(env);
  return {
    listen: (hosts.length ? hosts : [`unix://${defaultSocketPath(env)}`]).map(parseListen),
    dataPlane,
    stateDir: dir,
    logLevel,
    pidfile: pidfile ?? `${dir}/crosstalkd.pid`,
    compat,
    sandbox,
    cleanup,
    hostNamespace,
    dnsUpstreams,
    help,
    version,
  };
}
