/**
 * Handed cases (shared/cases/networking-cases.yaml) whose setup is a Compose file, run as written
 * with docker-compose 1.29.2 against crosstalkd (simulated data plane), each in its own project
 * directory (the case's project_dir) and its own daemon. The query ("from service X connect tcp
 * Y:P") is answered by crosstalk's explain endpoint, the simulator's reachability model.
 *
 * (compose-links-alias-precedence-on-shared-network is in test/cases.test.ts, as the endpoint links
 * Compose v2 sends: docker-compose 1.29 passes no endpoint links for it.)
 *
 * Images the simulator does not have are replaced by one that plays the same part, and the test
 * says which: `sonarqube` (only a client here) by alpine, `mongo:7` (a server on 27017) by
 * python:3-alpine serving 27017.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missing, startDaemon, stopCleanly, type Daemon, type RunResult } from './harness.js';

const skip = missing('docker-compose', 'docker');

interface Explanation {
  reachable: boolean;
  verdict: string;
  steps: string[];
  fixes: string[];
}

describe('handed Compose cases with docker-compose 1.29.2 against crosstalkd', { skip }, () => {
  let daemon: Daemon;
  let root: string;

  before(async () => {
    daemon = await startDaemon();
    root = mkdtempSync(join(tmpdir(), 'ct-compose-cases-'));
  });

  after(async () => {
    if (root) rmSync(root, { recursive: true, force: true });
    if (daemon) await stopCleanly(daemon);
  });

  /** Writes the project's compose file; returns a runner for docker-compose in its directory. */
  const project = (dir: string, yaml: string) => {
    const cwd = join(root, dir);
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'docker-compose.yml'), yaml);
    return (args: string[]): Promise<RunResult> => daemon.client('docker-compose', args, { cwd, timeoutMs: 120_000 });
  };
  const explain = async (from: string, to: string, port: number): Promise<Explanation> => {
    const r = await daemon.api('GET', `/crosstalk/explain?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&port=${port}`);
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Explanation;
  };
  const ok = async (run: Promise<RunResult>): Promise<RunResult> => {
    const r = await run;
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    return r;
  };

  it('published-host-port-used-between-containers: sonardb:5433 is refused, sonardb:5432 answers', async () => {
    const compose = project(
      'sonar',
      `services:
  sonardb:
    image: postgres:16
    environment:
      POSTGRES_USER: sonar
      POSTGRES_PASSWORD: sonar
    ports:
      - "5433:5432"
  sonarqube:
    image: alpine
    command: ["sleep", "infinity"]
    environment:
      SONAR_JDBC_URL: jdbc:postgresql://sonardb:5433/sonar
`,
    );
    await ok(compose(['up', '-d']));
    const published = await explain('sonar_sonarqube_1', 'sonardb', 5433);
    assert.equal(published.reachable, false);
    assert.equal(published.verdict, 'connection refused');
    assert.match(published.steps.join('\n'), /nothing listens on 5433\/tcp in sonar_sonardb_1 \(it listens on 5432\/tcp\)/);
    assert.match(published.fixes.join('\n'), /use the container port: sonar_sonardb_1:5432/);
    assert.equal((await explain('sonar_sonarqube_1', 'sonardb', 5432)).reachable, true);
    // The mapping exists only on the host: 0.0.0.0:5433 and [::]:5433 → 5432.
    assert.equal((await daemon.docker(['port', 'sonar_sonardb_1'])).out, '5432/tcp -> 0.0.0.0:5433\n5432/tcp -> [::]:5433\n');
    assert.equal((await explain('host', '127.0.0.1', 5433)).reachable, true);
    await ok(compose(['down']));
  });

  it('wait-hosts-ok-but-app-uses-loopback: service names answer, 127.0.0.1 inside bot is refused', async () => {
    const compose = project(
      'botstack',
      `services:
  postgres:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: pass
    ports:
      - "5432:5432"
  redis:
    image: redis:7
    ports:
      - "6379:6379"
  bot:
    image: node:20-alpine
    command: ["sleep", "infinity"]
    environment:
      WAIT_HOSTS: "postgres:5432, redis:6379"
      DB_HOST: 127.0.0.1
      REDIS_HOST: 127.0.0.1
    depends_on:
      - postgres
      - redis
`,
    );
    await ok(compose(['up', '-d']));
    for (const [name, port] of [['postgres', 5432], ['redis', 6379]] as const) {
      assert.equal((await explain('botstack_bot_1', name, port)).reachable, true, `${name}:${port}`);
      const loop = await explain('botstack_bot_1', '127.0.0.1', port);
      assert.equal(loop.reachable, false, `127.0.0.1:${port}`);
      assert.equal(loop.verdict, 'connection refused');
    }
    await ok(compose(['down']));
  });

  it('shared-netns-peers-use-localhost: app reaches localhost:27017, mongo does not resolve, the host reaches 8998 through vpn', async () => {
    const compose = project(
      'ytdl',
      `services:
  vpn:
    image: alpine
    command: ["sleep", "infinity"]
    ports:
      - "8998:17442"
  app:
    image: python:3-alpine
    command: python -m http.server 17442
    network_mode: service:vpn
    depends_on: [vpn]
  mongo:
    image: python:3-alpine
    command: python -m http.server 27017
    network_mode: service:vpn
    depends_on: [vpn]
`,
    );
    await ok(compose(['up', '-d']));
    assert.equal((await explain('ytdl_app_1', 'localhost', 27017)).reachable, true);
    const byName = await explain('ytdl_app_1', 'mongo', 27017);
    assert.equal(byName.reachable, false);
    assert.equal(byName.verdict, 'ytdl_app_1 cannot resolve mongo');
    assert.equal((await explain('host', '127.0.0.1', 8998)).reachable, true);
    const lookup = await daemon.docker(['exec', 'ytdl_app_1', 'nslookup', 'mongo']);
    assert.match(lookup.out + lookup.err, /can't find mongo: NXDOMAIN/);
    await ok(compose(['down']));
  });

  it('fixed-subnet-taken-by-leftover-network: the pool overlaps until the leftover network is removed', async () => {
    const compose = project(
      'docker-mailman',
      `services:
  core:
    image: alpine
    command: ["sleep", "infinity"]
    networks:
      mailman:
        ipv4_address: 172.19.199.2
networks:
  mailman:
    driver: bridge
    ipam:
      config:
        - subnet: 172.19.199.0/24
`,
    );
    await ok(daemon.docker(['network', 'create', '--subnet', '172.19.199.0/24', 'leftover_mailman']));
    const up = await compose(['up', '-d']);
    assert.notEqual(up.code, 0);
    assert.match(up.out + up.err, /Pool overlaps with other one on this address space/);
    assert.doesNotMatch((await daemon.docker(['network', 'ls', '--format', '{{.Name}}'])).out, /docker-mailman_mailman/, 'nothing half-made');
    await ok(daemon.docker(['network', 'rm', 'leftover_mailman']));
    await ok(compose(['up', '-d']));
    assert.equal((await daemon.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'docker-mailman_core_1'])).out, '172.19.199.2\n');
    await ok(compose(['down']));
  });

  it('ipv6-subnet-without-enable-ipv6: IPv4 only; the ipv6_address is accepted and ignored (Engine ≤ 29.0)', async () => {
    const compose = project(
      'v6demo',
      `services:
  app:
    image: nginx:alpine
    networks:
      app_net:
        ipv4_address: 172.16.238.10
        ipv6_address: 2001:3984:3989::10
networks:
  app_net:
    ipam:
      config:
        - subnet: 172.16.238.0/24
        - subnet: 2001:3984:3989::/64
`,
    );
    await ok(compose(['up', '-d']));
    assert.equal((await daemon.docker(['network', 'inspect', '-f', '{{.EnableIPv6}}', 'v6demo_app_net'])).out, 'false\n');
    assert.equal(
      (await daemon.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} [{{.GlobalIPv6Address}}]{{end}}', 'v6demo_app_1'])).out,
      '172.16.238.10 []\n',
    );
    await ok(compose(['down']));
    // A network with no IPv6 subnet at all still refuses an --ip6, as Docker does.
    await ok(daemon.docker(['network', 'create', 'n0']));
    const r = await daemon.docker(['run', '-d', '--net', 'n0', '--ip6', '2001:db8:1234::9988', 'alpine', 'top']);
    assert.equal(r.code, 125);
    assert.match(r.err, /user specified IP address is supported only when connecting to networks with user configured subnets/);
    await ok(daemon.docker(['network', 'rm', 'n0']));
  });

  it('host-port-range-to-single-container-port: each replica gets the next free host port of 4200-4500', async () => {
    const compose = project(
      'scaled',
      `services:
  nginx:
    image: nginx:alpine
    ports:
      - "4200-4500:80"
    deploy:
      replicas: 3
`,
    );
    // docker-compose 1.29 ignores deploy.replicas outside swarm; --scale asks for the three.
    await ok(compose(['up', '-d', '--scale', 'nginx=3']));
    const ports = (await daemon.docker(['ps', '--filter', 'name=scaled_nginx', '--format', '{{.Ports}}'])).out.trim().split('\n');
    const hostPorts = ports.map((p) => Number(/0\.0\.0\.0:(\d+)->80\/tcp/.exec(p)?.[1])).sort();
    assert.deepEqual(hostPorts, [4200, 4201, 4202]);
    await ok(compose(['down']));
  });

  it('same-service-name-in-two-projects-on-shared-network: bot has two records (both projects), bot-test one', async () => {
    await ok(daemon.docker(['network', 'create', 'proxy-net']));
    await ok(daemon.docker(['run', '-d', '--name', 'rp', '--network', 'proxy-net', 'alpine', 'sleep', '1d']));
    const projects: Array<[string, string]> = [['prod', 'bot'], ['test', 'bot-test']];
    for (const [dir, name] of projects) {
      const compose = project(
        dir,
        `services:
  bot:
    image: python:3-alpine
    command: python -m http.server 8080
    container_name: ${name}
    networks: [proxy-net]
networks:
  proxy-net:
    external: true
`,
      );
      await ok(compose(['up', '-d']));
    }
    const ip = async (name: string) => (await daemon.docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name])).out.trim();
    const [prod, test] = [await ip('bot'), await ip('bot-test')];
    const addresses = (out: string) => [...out.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]);
    const orders = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const a = addresses((await ok(daemon.docker(['exec', 'rp', 'nslookup', 'bot']))).out);
      assert.deepEqual([...a].sort(), [prod, test].sort());
      orders.add(a.join(' '));
    }
    assert.equal(orders.size, 2, 'the two records come in both orders (shuffled per answer)');
    assert.deepEqual(addresses((await ok(daemon.docker(['exec', 'rp', 'nslookup', 'bot-test']))).out), [test]);
    await ok(daemon.docker(['rm', '-f', 'bot', 'bot-test', 'rp']));
    await ok(daemon.docker(['network', 'rm', 'proxy-net']));
  });

  it('compose-down-network-used-by-other-project: down keeps the network another project uses, with the Engine 28.1 text', async () => {
    const traefik = project('traefik', 'services:\n  proxy:\n    image: nginx:alpine\n');
    const apps = project('apps', 'services:\n  app:\n    image: nginx:alpine\n    networks: [traefik_default]\nnetworks:\n  traefik_default:\n    external: true\n');
    await ok(traefik(['up', '-d']));
    await ok(apps(['up', '-d']));
    const down = await traefik(['down']);
    assert.notEqual(down.code, 0, 'docker-compose 1.29 stops at the daemon error (current Compose only warns)');
    const text = /error while removing network: network traefik_default has active endpoints \(name:"apps_app_1" id:"[0-9a-f]{12}"\)/;
    assert.match(down.out + down.err, text);
    assert.doesNotMatch((await daemon.docker(['ps', '-a', '--format', '{{.Names}}'])).out, /traefik_proxy_1/, 'its own container is gone');
    const rm = await daemon.docker(['network', 'rm', 'traefik_default']);
    assert.equal(rm.code, 1);
    // (docker CLI 28's network rm adds its own `exit status 1` line.)
    assert.match(rm.err, new RegExp(`^Error response from daemon: ${text.source}\n`));
    await ok(apps(['down']));
    await ok(traefik(['down']));
  });

  it('external-default-network-looked-up-literally: there is no network named default; with name: dockerfoo_default it starts', async () => {
    const literal = project('dockerfoo', 'services:\n  service2:\n    image: busybox\n    command: ["sleep", "3600"]\nnetworks:\n  default:\n    external: true\n');
    const first = await literal(['up', '-d']);
    assert.equal(first.code, 1);
    assert.match(first.out + first.err, /Network default declared as external, but could not be found/);
    const create = await daemon.docker(['network', 'create', 'default']);
    assert.match(create.err, /operation is not permitted on predefined default network/);
    await ok(daemon.docker(['network', 'create', 'dockerfoo_default']));
    const named = project('dockerfoo', 'services:\n  service2:\n    image: busybox\n    command: ["sleep", "3600"]\nnetworks:\n  default:\n    external: true\n    name: dockerfoo_default\n');
    await ok(named(['up', '-d']));
    assert.equal((await daemon.docker(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}', 'dockerfoo_service2_1'])).out, 'dockerfoo_default\n');
    await ok(named(['down']));
    await ok(daemon.docker(['network', 'rm', 'dockerfoo_default']));
  });
});
