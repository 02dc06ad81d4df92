/**
 * Published ports on the real data plane (userland proxy off: DNAT in our own nft table), driven
 * by the real docker CLI against `crosstalkd --sandbox`. The sandbox namespace plays the host:
 * its 127.0.0.1 and an address on a dummy (or veth) link (192.0.2.10) reach the container; containers reach
 * published ports through the host address from the same network (hairpin, even their own) and
 * from another one; a port bound to 127.0.0.1 answers only there; internal-only containers get no
 * forwarding; a stopped container's port no longer answers; IPv6 works the same way (AAAA,
 * isolation, ports published on [::] reached via the host's IPv6 address); nothing is left behind.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { which } from '../compat/harness.js';
import { skipReason } from './helpers.js';
import { LinuxDaemon, machineSnapshot, type MachineSnapshot } from './linux-daemon.js';

const skip = skipReason(['nft', 'python3', 'busybox', 'nsenter']) || (!which('docker') ? 'docker CLI missing' : false);

const HOST = '192.0.2.10';
const HOST6 = '2001:db8::10';

describe('published ports on the linux data plane', { skip, timeout: 240_000 }, () => {
  const d = new LinuxDaemon();
  let machine: MachineSnapshot;
  let sandboxPid: number | undefined;

  const inSandbox = (argv: string[]) => execFileSync('nsenter', [`--net=/proc/${sandboxPid}/ns/net`, '--', ...argv], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  /** What a TCP connection from the sandbox (the host) to ip:port reads, or undefined when it fails. */
  const fromHost = (ip: string, port: number): string | undefined => {
    const r = spawnSync('nsenter', [`--net=/proc/${sandboxPid}/ns/net`, '--', 'busybox', 'nc', '-w', '2', ip, String(port)], { encoding: 'utf8', input: '', timeout: 10_000 });
    return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
  };
  const fromContainer = async (name: string, ip: string, port: number): Promise<string | undefined> => {
    const r = await d.docker(['exec', name, 'nc', '-w', '2', ip, String(port)], 20_000);
    return r.code === 0 && r.out.trim() ? r.out.trim() : undefined;
  };
  /** A listener just started: retry briefly until it answers. */
  const eventually = async (probe: () => Promise<string | undefined> | string | undefined): Promise<string | undefined> => {
    let got: string | undefined;
    for (let i = 0; i < 20 && got === undefined; i++) {
      got = await probe();
      if (got === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    return got;
  };

  before(async () => {
    machine = machineSnapshot();
    await d.start();
    sandboxPid = d.sandboxPid();
    assert.ok(sandboxPid, 'sandbox pid');
    // The host's own non-loopback address, inside the sandbox: on a dummy link, or where the kernel
    // has no dummy driver, on one end of a veth pair that stays inside the sandbox.
    try {
      inSandbox(['ip', 'link', 'add', 'ct-dummy', 'type', 'dummy']);
    } catch {
      inSandbox(['ip', 'link', 'add', 'ct-dummy', 'type', 'veth', 'peer', 'name', 'ct-dummy1']);
      inSandbox(['ip', 'link', 'set', 'ct-dummy1', 'up']);
    }
    inSandbox(['ip', 'addr', 'add', `${HOST}/24`, 'dev', 'ct-dummy']);
    inSandbox(['ip', 'addr', 'add', `${HOST6}/64`, 'dev', 'ct-dummy', 'nodad']);
    inSandbox(['ip', 'link', 'set', 'ct-dummy', 'up']);
  });

  after(() => d.destroy());

  it('-p 8080:80 reaches the container from the host: 127.0.0.1 and the host address', async () => {
    await d.ok(['network', 'create', 'pa']);
    await d.ok(['network', 'create', 'pb']);
    await d.ok(['network', 'create', '--internal', 'pin']);
    await d.ok(['run', '-d', '--name', 'web', '--network', 'pa', '-p', '8080:80', 'alpine', 'nc', '-ll', '-p', '80', '-e', 'echo', 'ok']);
    assert.match(await d.ok(['port', 'web']), /^80\/tcp -> 0\.0\.0\.0:8080$/m);
    assert.equal(await eventually(() => fromHost('127.0.0.1', 8080)), 'ok', 'localhost');
    assert.equal(fromHost(HOST, 8080), 'ok', 'host address');
    // Only the published port: another host port is not forwarded.
    assert.equal(fromHost(HOST, 8081), undefined);
  });

  it('containers reach published ports through the host address: hairpin (same network, own gateway) and from another network', async () => {
    await d.ok(['run', '-d', '--name', 'nb', '--network', 'pa', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'other', '--network', 'pb', 'alpine', 'sleep', '1000']);
    assert.equal(await fromContainer('nb', HOST, 8080), 'ok', 'neighbour on the same network');
    const gwA = await d.ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'pa']);
    assert.equal(await fromContainer('nb', gwA, 8080), 'ok', 'its own gateway address');
    assert.equal(await fromContainer('other', HOST, 8080), 'ok', 'another network via the host address');
    // Isolation still holds for anything not published: the container's address directly.
    assert.equal(await fromContainer('other', await d.ip('web', 'pa'), 80), undefined, 'isolation');
  });

  // Routed through the gateway (the sandbox has br_netfilter off). With br_netfilter on (next test)
  // the DNAT happens at bridge level and the packet is bridged back out of the port it came in on:
  // that needs `hairpin on` on the host veth, as Docker sets with the userland proxy off.
  it('a container reaches its own published port through the host address', async () => {
    assert.equal(await fromContainer('web', HOST, 8080), 'ok', 'the container itself');
  });

  it('the same with br_netfilter on in the host namespace (bridged traffic through the inet hooks, as on a machine running Docker)', async (t) => {
    if (inSandbox(['sh', '-c', 'test -e /proc/sys/net/bridge/bridge-nf-call-iptables && echo yes || echo no']).trim() !== 'yes') {
      t.skip('this kernel has no br_netfilter');
      return;
    }
    // The sandbox turns bridge-nf-call-iptables off; a host-namespace daemon may find it on.
    assert.equal(inSandbox(['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables']).trim(), '0');
    inSandbox(['sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
    try {
      const gwA = await d.ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'pa']);
      assert.equal(await fromContainer('nb', HOST, 8080), 'ok', 'neighbour on the same network');
      assert.equal(await fromContainer('nb', gwA, 8080), 'ok', 'its own gateway address');
      assert.equal(await fromContainer('web', HOST, 8080), 'ok', 'the container itself');
      assert.equal(await fromContainer('other', HOST, 8080), 'ok', 'another network via the host address');
      assert.equal(await fromContainer('other', await d.ip('web', 'pa'), 80), undefined, 'isolation');
      assert.equal(fromHost(HOST, 8080), 'ok', 'host address');
    } finally {
      inSandbox(['sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=0']);
    }
  });

  it('an internal network gets no forwarding: neither to an internal-only container nor from one', async () => {
    await d.ok(['run', '-d', '--name', 'hidden', '--network', 'pin', '-p', '7070:80', 'alpine', 'nc', '-ll', '-p', '80', '-e', 'echo', 'ok']);
    await d.ok(['run', '-d', '--name', 'inner', '--network', 'pin', 'alpine', 'sleep', '1000']);
    // The listener is up (reachable on its own network) …
    assert.equal(await eventually(() => fromContainer('inner', 'hidden', 80)), 'ok');
    // … but its binding is not programmed.
    assert.equal(fromHost('127.0.0.1', 7070), undefined);
    assert.equal(fromHost(HOST, 7070), undefined);
    // A container on the internal network does not get out through a published port either.
    const gwIn = await d.ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'pin']);
    assert.equal(await fromContainer('inner', gwIn, 8080), undefined);
  });

  it('-p 127.0.0.1:9090:80 answers only on 127.0.0.1', async () => {
    await d.ok(['run', '-d', '--name', 'loc', '-p', '127.0.0.1:9090:80', 'alpine', 'nc', '-ll', '-p', '80', '-e', 'echo', 'loc']);
    assert.equal(await eventually(() => fromHost('127.0.0.1', 9090)), 'loc');
    assert.equal(fromHost(HOST, 9090), undefined);
    assert.equal(await fromContainer('nb', HOST, 9090), undefined);
  });

  it('after docker stop the port no longer answers; a restart forwards again', async () => {
    await d.ok(['stop', '-t', '1', 'web']);
    assert.equal(fromHost('127.0.0.1', 8080), undefined);
    assert.equal(fromHost(HOST, 8080), undefined);
    assert.doesNotMatch(inSandbox(['nft', 'list', 'table', 'inet', 'crosstalk']), /dport 8080/);
    await d.ok(['start', 'web']);
    assert.equal(await eventually(() => fromHost(HOST, 8080)), 'ok');
  });

  it('IPv6: a dual-stack network resolves AAAA, pings and connects by name, stays isolated, and -p publishes on [::] too', async () => {
    await d.ok(['network', 'create', '--ipv6', '--subnet', 'fd61::/64', 'v6a']);
    await d.ok(['network', 'create', '--ipv6', '--subnet', 'fd62::/64', 'v6b']);
    await d.ok(['run', '-d', '--name', 'web6', '--network', 'v6a', '-p', '8086:80', 'alpine', 'nc', '-ll', '-p', '80', '-e', 'echo', 'six']);
    await d.ok(['run', '-d', '--name', 'c6', '--network', 'v6a', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'far6', '--network', 'v6b', 'alpine', 'sleep', '1000']);
    assert.match(await d.ok(['port', 'web6']), /^80\/tcp -> \[::\]:8086$/m);
    const ip6 = await d.ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "v6a").GlobalIPv6Address}}', 'web6']);
    assert.match(ip6, /^fd61::/);
    // Name resolution and traffic over IPv6 inside the network (127.0.0.11 answers AAAA).
    assert.match(await d.ok(['exec', 'c6', 'nslookup', '-type=AAAA', 'web6']), new RegExp(`Address: ${ip6}$`, 'm'));
    assert.equal(await d.status('c6', ['ping6', '-c', '1', '-W', '1', 'web6']), 0);
    assert.equal(await eventually(() => fromContainer('c6', ip6, 80)), 'six');
    // Another network's container neither resolves it nor reaches its address …
    assert.notEqual(await d.status('far6', ['nslookup', '-type=AAAA', 'web6']), 0);
    assert.equal(await fromContainer('far6', ip6, 80), undefined, 'isolation over IPv6');
    // … but reaches the published port through the host's IPv6 address, as the host does.
    assert.equal(fromHost(HOST6, 8086), 'six', 'host IPv6 address');
    assert.equal(await fromContainer('far6', HOST6, 8086), 'six', 'another network via the host IPv6 address');
    assert.equal(fromHost(HOST, 8086), 'six', 'and over IPv4');
    await d.ok(['rm', '-f', 'web6', 'c6', 'far6']);
    assert.equal(fromHost(HOST6, 8086), undefined, 'removed: no longer forwarded');
  });

  it('stops cleanly and leaves nothing behind', async () => {
    const pid = d.sandboxPid();
    assert.equal(await d.stop(), 0);
    d.assertNothingLeft(machine, pid);
  });
});
