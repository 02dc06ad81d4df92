/**
 * The real docker CLI (28.2.2) against crosstalkd: the seed walk-through (shared/seed/walkthrough.md,
 * examples/walkthrough.sh) run verbatim with `docker …` commands, the daemon in the legacy profile
 * so container MACs follow the transcript (02:42 + IPv4 bytes).
 *
 * Two checks:
 *  1. the key facts of the transcript hold for what the docker CLI prints;
 *  2. every step prints the same as crosstalk's own CLI in embedded mode (no daemon, its own state
 *     dir, CROSSTALK_SEED=1) — after normalisation: IDs (64/12 hex), RFC 3339 times, ping
 *     timings and `docker ps` ages are replaced by placeholders, CRLF from the terminal becomes LF,
 *     and maps keyed by IDs (a network's `Containers`) are compared as sorted sets, because their
 *     order follows the random IDs. Exit codes and stderr are compared too.
 *
 * `docker container attach` needs a terminal when the container has a TTY (the CLI refuses a piped
 * stdin: "the input device is not a TTY"), so it runs on a pseudo-terminal (test/compat/pty-run.py):
 * each command is typed followed by Enter (`\r`, as a keyboard sends it), then ctrl-p ctrl-q. The
 * embedded CLI gets the same lines on a pipe, as examples/walkthrough.sh does.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson,
  embeddedCli,
  havePty,
  missing,
  normalize,
  normalizeTable,
  sortedLines,
  startDaemon,
  stopCleanly,
  type Daemon,
  type RunResult,
} from './harness.js';

const DETACH = '\x10\x11';

interface Step {
  /** Arguments after `docker`. */
  args: string[];
  /** Lines typed into `container attach`, followed by ctrl-p ctrl-q. */
  typed?: string[];
  /** How to compare: plain text, JSON (inspect), or a table whose widths depend on IDs/times. */
  kind?: 'text' | 'json' | 'table';
  /** Not part of the seed walk-through: extra coverage of `ps` and container `inspect`. */
  extra?: boolean;
}

const COMPOSE_LEFTOVERS = [
  'dockercompose', 'styles', 'swcarpentryrnovicegapminder914b882', 'swcarpentryrnovicegapminder',
  'swcarpentryrnoviceinflammation', 'swcarpentryshellnovice',
];

const w = (s: string): string[] => s.split(' ');

/** The walk-through of examples/walkthrough.sh, step by step (without `crosstalk explain`). */
const STEPS: Step[] = [
  { args: w('network ls') },
  // 2. The default bridge network
  { args: w('run -dit --name alpine1 alpine ash') },
  { args: w('run -dit --name alpine2 alpine ash') },
  { args: w('network inspect bridge'), kind: 'json' },
  { args: w('container attach alpine1'), typed: ['ping -c 2 172.17.0.3', 'ping -c 2 alpine2'] },
  { args: w('container stop alpine1 alpine2') },
  { args: w('container rm alpine1 alpine2') },
  // 3. A user-defined bridge network
  { args: w('network create --driver bridge alpine-net') },
  { args: w('network ls') },
  { args: w('run -dit --name alpine1 --network alpine-net alpine ash') },
  { args: w('run -dit --name alpine2 --network alpine-net alpine ash') },
  { args: w('run -dit --name alpine3 alpine ash') },
  { args: w('run -dit --name alpine4 --network alpine-net alpine ash') },
  { args: w('network connect bridge alpine4') },
  { args: w('network inspect bridge'), kind: 'json' },
  { args: w('network inspect alpine-net'), kind: 'json' },
  { args: w('ps'), kind: 'table', extra: true },
  { args: w('inspect alpine4'), kind: 'json', extra: true },
  {
    args: w('container attach alpine1'),
    typed: ['ping -c 2 alpine2', 'ping -c 2 alpine4', 'ping -c 2 alpine1', 'ping -c 2 alpine3', 'ping -c 2 -W 1 172.17.0.2'],
  },
  { args: w('container attach alpine4'), typed: ['ping -c 2 alpine1', 'ping -c 2 alpine3', 'ping -c 2 172.17.0.2'] },
  // 4. A second user-defined network joins alpine3 and alpine4
  { args: w('network create --driver bridge lapine-net') },
  { args: w('network connect lapine-net alpine3') },
  { args: w('network connect lapine-net alpine4') },
  { args: w('network inspect lapine-net'), kind: 'json' },
  { args: w('exec alpine4 ping -c 2 alpine3') },
  { args: w('exec alpine4 ping -c 2 alpine2') },
  // A stopped container has no address and its name no longer resolves
  { args: w('container stop alpine2') },
  { args: w('exec alpine1 ping -c 1 alpine2') },
  { args: w('start alpine2') },
  { args: w('exec alpine1 ping -c 1 alpine2') },
  { args: w('ps -a'), kind: 'table', extra: true },
  // Clean up
  { args: w('container stop alpine1 alpine2 alpine3 alpine4') },
  { args: w('container rm alpine1 alpine2 alpine3 alpine4') },
  { args: w('network rm alpine-net lapine-net') },
  { args: w('network prune -f') },
  { args: w('network ls') },
];

interface Transcript {
  results: RunResult[];
  /** `$ docker …` + output, as examples/walkthrough.sh prints it (for failure messages). */
  text: string;
}

const label = (s: Step): string => `docker ${s.args.join(' ')}`;

async function walk(exec: (s: Step) => Promise<RunResult>): Promise<Transcript> {
  const results: RunResult[] = [];
  let text = '';
  for (const s of STEPS) {
    const r = await exec(s);
    results.push(r);
    text += `$ ${label(s)}\n${r.out}${r.err}${r.code ? `[exit ${r.code}]\n` : ''}`;
  }
  return { results, text };
}

const skip = missing('docker', 'python3') ?? (havePty() ? undefined : 'python3 has no pty module');

describe('docker CLI 28 against crosstalkd: the seed walk-through', { skip }, () => {
  let daemon: Daemon;
  let cli: ReturnType<typeof embeddedCli>;
  let viaDocker: Transcript;
  let embedded: Transcript;
  const ptyTrouble: string[] = [];
  const embeddedSetup: string[] = [];
  let cli28 = true;
  const step = (t: Transcript, args: string, nth = 1): RunResult => {
    let seen = 0;
    for (let i = 0; i < STEPS.length; i++) if (STEPS[i].args.join(' ') === args && ++seen === nth) return t.results[i];
    throw new Error(`no step docker ${args} #${nth}`);
  };

  before(async () => {
    cli28 = /^Docker version 28\./.test(execFileSync('docker', ['--version'], { encoding: 'utf8' }));
    daemon = await startDaemon({ compat: 'legacy', env: { CROSSTALK_SEED: '1' } });
    for (const p of COMPOSE_LEFTOVERS) {
      const r = await daemon.docker([
        'network', 'create', '--label', 'com.docker.compose.network=default', '--label', `com.docker.compose.project=${p}`,
        '--label', 'com.docker.compose.version=1.25.0', `${p}_default`,
      ]);
      assert.equal(r.code, 0, r.err);
    }
    viaDocker = await walk(async (s) => {
      if (!s.typed) return daemon.docker(s.args);
      const steps = [...s.typed.map((line) => ({ send: `${line}\r`, expect: '/ # $' })), { send: DETACH }];
      const r = await daemon.dockerPty(s.args, steps);
      if (r.timedOut) ptyTrouble.push(`${label(s)}: did not exit after ctrl-p ctrl-q (killed)`);
      if (r.stalledAt >= 0) ptyTrouble.push(`${label(s)}: no \`/ # \` prompt after typing ${JSON.stringify(steps[r.stalledAt].send)}`);
      return { code: r.code, out: r.out, err: r.err };
    });

    // CROSSTALK_COMPAT_TRANSCRIPT=DIR keeps both transcripts (docker.txt, crosstalk.txt) for reading.
    const keep = process.env.CROSSTALK_COMPAT_TRANSCRIPT;
    if (keep) writeFileSync(join(keep, 'docker.txt'), viaDocker.text);

    // The embedded run's own set-up failing must not cancel the docker-side tests.
    cli = embeddedCli({ seed: 1 });
    // No DOCKER_HOST/CROSSTALK_HOST is passed, but a daemon on the default socket would be used.
    const info = await cli.run(['info']);
    if (!/embedded/i.test(info.out)) embeddedSetup.push(`crosstalk CLI is not in embedded mode (a daemon on the default socket?):\n${info.out}${info.err}`);
    const reset = await cli.run(['reset', '--compat', 'legacy']);
    if (reset.code !== 0) embeddedSetup.push(`crosstalk reset --compat legacy → exit ${reset.code}: ${reset.err.trim()}`);
    for (const p of COMPOSE_LEFTOVERS) {
      const args = [
        'network', 'create', '--label', 'com.docker.compose.network=default', '--label', `com.docker.compose.project=${p}`,
        '--label', 'com.docker.compose.version=1.25.0', `${p}_default`,
      ];
      const r = await cli.run(args);
      if (r.code !== 0) embeddedSetup.push(`crosstalk ${args.join(' ')} → exit ${r.code}: ${r.err.trim()}`);
    }
    embedded = await walk((s) => cli.run(s.args, s.typed ? { input: `${s.typed.join('\n')}\n${DETACH}\n` } : {}));
    if (keep) writeFileSync(join(keep, 'crosstalk.txt'), embedded.text);
  });

  after(async () => {
    cli?.cleanup();
    if (!daemon) return;
    await stopCleanly(daemon);
  });

  it('every docker command succeeds except the pings that must fail', () => {
    const failures = STEPS.map((s, i) => ({ s, r: viaDocker.results[i] }))
      .filter(({ s, r }) => r.code !== 0 && !s.typed && !(s.args[0] === 'exec' && s.args.includes('alpine1') && s.args.at(-1) === 'alpine2'));
    assert.deepEqual(failures.map(({ s, r }) => `${label(s)} → exit ${r.code}: ${r.err.trim()}`), [], viaDocker.text);
  });

  it('container attach over a terminal: typed commands run, ctrl-p ctrl-q detaches', () => {
    assert.deepEqual(ptyTrouble, []);
    STEPS.forEach((s, i) => {
      if (!s.typed) return;
      const r = viaDocker.results[i];
      // The docker CLI reports a detach as the error "read escape sequence" (exit 1).
      assert.equal(r.err, 'read escape sequence\n', label(s));
      assert.equal(r.code, 1, label(s));
      // A container TTY translates LF to CRLF (onlcr); the CLI's terminal is raw, so bare LFs would staircase.
      assert.doesNotMatch(r.out, /[^\r]\n/, `${label(s)}: bare LF in TTY output`);
      for (const line of s.typed) assert.ok(r.out.includes(`/ # ${line}\r\n`), `${label(s)}: no echo of ${line}`);
    });
  });

  it('starts from the six leftover Compose networks', () => {
    const ls = step(viaDocker, 'network ls').out;
    assert.match(ls, /^NETWORK ID     NAME                                         DRIVER    SCOPE\n/);
    assert.deepEqual(ls.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1]), [
      'bridge', 'dockercompose_default', 'host', 'none', 'styles_default', 'swcarpentryrnovicegapminder914b882_default',
      'swcarpentryrnovicegapminder_default', 'swcarpentryrnoviceinflammation_default', 'swcarpentryshellnovice_default',
    ]);
  });

  it('shows the default bridge as in the transcript; no names on the default bridge', () => {
    const bridge = JSON.parse(step(viaDocker, 'network inspect bridge').out)[0];
    assert.deepEqual(bridge.IPAM.Config, [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }]);
    const ctrs = Object.values(bridge.Containers) as Array<Record<string, string>>;
    assert.deepEqual(ctrs.map((c) => `${c.Name} ${c.IPv4Address} ${c.MacAddress}`).sort(), [
      'alpine1 172.17.0.2/16 02:42:ac:11:00:02',
      'alpine2 172.17.0.3/16 02:42:ac:11:00:03',
    ]);
    assert.equal(bridge.Options['com.docker.network.bridge.name'], 'docker0');
    const attach = normalize(step(viaDocker, 'container attach alpine1').out);
    assert.match(attach, /PING 172\.17\.0\.3 \(172\.17\.0\.3\): 56 data bytes\n64 bytes from 172\.17\.0\.3: seq=0 ttl=64/);
    assert.match(attach, /ping: bad address 'alpine2'/);
  });

  it('gives alpine-net 172.24.0.0/16 and alpine2 172.24.0.3; alpine1 pings alpine2 by name but not alpine3', () => {
    const net = JSON.parse(step(viaDocker, 'network inspect alpine-net').out)[0];
    assert.equal(net.IPAM.Config[0].Subnet, '172.24.0.0/16');
    const byName = Object.fromEntries((Object.values(net.Containers) as Array<Record<string, string>>).map((c) => [c.Name, c.IPv4Address]));
    assert.deepEqual(byName, { alpine1: '172.24.0.2/16', alpine2: '172.24.0.3/16', alpine4: '172.24.0.4/16' });
    const bridge = JSON.parse(step(viaDocker, 'network inspect bridge', 2).out)[0];
    const onBridge = Object.fromEntries((Object.values(bridge.Containers) as Array<Record<string, string>>).map((c) => [c.Name, c.IPv4Address]));
    assert.deepEqual(onBridge, { alpine3: '172.17.0.2/16', alpine4: '172.17.0.3/16' });

    const a1 = normalize(step(viaDocker, 'container attach alpine1', 2).out);
    assert.match(
      a1,
      /PING alpine2 \(172\.24\.0\.3\): 56 data bytes\n64 bytes from 172\.24\.0\.3: seq=0 ttl=64 time=<T> ms\n64 bytes from 172\.24\.0\.3: seq=1 ttl=64 time=<T> ms\n\n--- alpine2 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\nround-trip min\/avg\/max = <T> ms\n/,
    );
    assert.match(a1, /ping: bad address 'alpine3'/);
    assert.match(a1, /--- 172\.17\.0\.2 ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n/);
    const a4 = normalize(step(viaDocker, 'container attach alpine4').out);
    assert.match(a4, /ping: bad address 'alpine3'/);
    assert.match(a4, /--- 172\.17\.0\.2 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss/);
  });

  it('docker ps and docker inspect show the containers and their networks', () => {
    const ps = step(viaDocker, 'ps').out.trim().split('\n');
    assert.match(ps[0], /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    assert.deepEqual(ps.slice(1).map((l) => l.split(/\s+/).at(-1)).sort(), ['alpine1', 'alpine2', 'alpine3', 'alpine4']);
    const [a4] = JSON.parse(step(viaDocker, 'inspect alpine4').out);
    assert.equal(a4.Name, '/alpine4');
    assert.equal(a4.State.Running, true);
    assert.deepEqual(Object.keys(a4.NetworkSettings.Networks).sort(), ['alpine-net', 'bridge']);
    assert.equal(a4.NetworkSettings.Networks['alpine-net'].IPAddress, '172.24.0.4');
    assert.equal(a4.NetworkSettings.Networks.bridge.IPAddress, '172.17.0.3');
    assert.equal(a4.NetworkSettings.IPAddress, '172.17.0.3', 'deprecated top-level fields come from the default bridge');
    assert.deepEqual(a4.NetworkSettings.Networks['alpine-net'].DNSNames, ['alpine4', a4.Id.slice(0, 12)]);
  });

  it('gives lapine-net 172.25.0.0/16 with the transcript MACs; names resolve after connecting', () => {
    const net = JSON.parse(step(viaDocker, 'network inspect lapine-net').out)[0];
    assert.equal(net.IPAM.Config[0].Subnet, '172.25.0.0/16');
    assert.equal(net.IPAM.Config[0].Gateway, '172.25.0.1');
    assert.deepEqual(net.Options, {});
    const rows = (Object.values(net.Containers) as Array<Record<string, string>>).map((c) => `${c.Name} ${c.IPv4Address} ${c.MacAddress}`).sort();
    assert.deepEqual(rows, ['alpine3 172.25.0.2/16 02:42:ac:19:00:02', 'alpine4 172.25.0.3/16 02:42:ac:19:00:03']);
    const p3 = step(viaDocker, 'exec alpine4 ping -c 2 alpine3');
    assert.equal(p3.code, 0, p3.err);
    assert.match(p3.out, /^PING alpine3 \(172\.25\.0\.2\): 56 data bytes\n.*\n.*\n\n--- alpine3 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\n/);
    assert.match(step(viaDocker, 'exec alpine4 ping -c 2 alpine2').out, /^PING alpine2 \(172\.24\.0\.3\)/);
  });

  it('a stopped container stops resolving; started again it resolves', () => {
    const stopped = step(viaDocker, 'exec alpine1 ping -c 1 alpine2');
    assert.equal(stopped.code, 1);
    assert.match(stopped.err, /ping: bad address 'alpine2'/);
    const started = step(viaDocker, 'exec alpine1 ping -c 1 alpine2', 2);
    assert.equal(started.code, 0, started.err);
    assert.match(started.out, /^PING alpine2 \(172\.24\.0\.\d\)/);
  });

  it('cleans up: network rm and prune leave the predefined networks only', () => {
    assert.equal(step(viaDocker, 'network rm alpine-net lapine-net').out, 'alpine-net\nlapine-net\n');
    const prune = step(viaDocker, 'network prune -f').out;
    assert.match(prune, /^Deleted Networks:\n/);
    for (const p of COMPOSE_LEFTOVERS) assert.match(prune, new RegExp(`^${p}_default$`, 'm'));
    const last = viaDocker.results.at(-1)!.out.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1]);
    assert.deepEqual(last, ['bridge', 'host', 'none']);
  });

  it('prints the same as crosstalk’s own CLI (embedded, no daemon) for every step', () => {
    assert.deepEqual(embeddedSetup, [], 'crosstalk CLI (embedded) set-up failed');
    const diffs: string[] = [];
    STEPS.forEach((s, i) => {
      // crosstalk's CLI is docker CLI 28.2.2's twin. An older docker CLI (Debian's docker.io 20.10,
      // the CI fallback) negotiates API 1.41, where the daemon rightly adds the short ID to
      // container `Aliases`; so the extra `inspect`/`ps` steps are compared with CLI 28 only.
      if (s.extra && !cli28) return;
      const d = viaDocker.results[i];
      const e = embedded.results[i];
      const problems: string[] = [];
      if (d.code !== e.code) problems.push(`exit code: docker ${d.code}, crosstalk ${e.code}`);
      if (s.kind === 'json' && d.code === 0 && e.code === 0) {
        try {
          if (canonicalJson(d.out) !== canonicalJson(e.out)) problems.push(`JSON differs:\n--- docker\n${canonicalJson(d.out)}\n--- crosstalk\n${canonicalJson(e.out)}`);
          else if (sortedLines(d.out).join('\n') !== sortedLines(e.out).join('\n')) problems.push(`JSON formatting differs:\n--- docker\n${d.out}\n--- crosstalk\n${e.out}`);
        } catch (err) {
          problems.push(`unparsable JSON (${(err as Error).message}):\n--- docker\n${d.out}\n--- crosstalk\n${e.out}`);
        }
      } else {
        const norm = s.kind === 'table' ? normalizeTable : normalize;
        if (norm(d.out) !== norm(e.out)) problems.push(`stdout differs:\n--- docker\n${norm(d.out)}\n--- crosstalk\n${norm(e.out)}`);
      }
      if (normalize(d.err) !== normalize(e.err)) problems.push(`stderr differs:\n--- docker\n${d.err}\n--- crosstalk\n${e.err}`);
      if (problems.length) diffs.push(`$ ${label(s)}${s.extra ? ' (extra step)' : ''}\n${problems.join('\n')}`);
    });
    assert.deepEqual(diffs, [], diffs.join('\n\n'));
  });
});
