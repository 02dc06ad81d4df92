/**
 * The real data plane end to end: `crosstalkd --sandbox` driven by the real docker CLI. Real
 * pings, TCP (busybox nc) and DNS (127.0.0.11) between busybox containers; isolation, multi-homing,
 * disconnect and stop, ICC off, internal networks without egress (probed against a listener in an
 * "outside" namespace the test makes), and nothing left behind — after a clean exit, and after
 * kill -9 + `--cleanup`. A restart of a killed daemon keeps running containers resolving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_JS, run, which } from '../compat/harness.js';
import { Sandbox } from '../../src/platform/linux/sandbox.js';
import { skipReason } from './helpers.js';
import { LinuxDaemon, machineSnapshot, type MachineSnapshot } from './linux-daemon.js';

const skip = skipReason(['nft', 'python3']) || (!which('docker') ? 'docker CLI missing' : false);

const PING = ['ping', '-c', '1', '-W', '1'];

describe('linux data plane driven by the docker CLI', { skip, timeout: 240_000 }, () => {
  const d = new LinuxDaemon();
  let machine: MachineSnapshot;
  let outside: Sandbox | undefined;

  before(async () => {
    machine = machineSnapshot();
    await d.start();
  });

  after(async () => {
    await outside?.destroy();
    await d.destroy();
  });

  it('creates networks and containers with Docker-shaped output', async () => {
    for (const args of [
      ['network', 'create', 'net1'],
      ['network', 'create', 'net2'],
      ['network', 'create', '--internal', 'inet'],
      ['network', 'create', '-o', 'com.docker.network.bridge.enable_icc=false', 'noicc'],
    ]) {
      assert.match(await d.ok(args), /^[0-9a-f]{64}$/);
    }
    await d.ok(['run', '-d', '--name', 'alpha', '--network', 'net1', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'beta', '--network', 'net1', '--network-alias', 'bee', 'alpine', 'nc', '-ll', '-p', '8080', '-e', 'echo', 'ok']);
    await d.ok(['run', '-d', '--name', 'gamma', '--network', 'net2', 'alpine', 'nc', '-ll', '-p', '8080', '-e', 'echo', 'ok']);
    await d.ok(['run', '-d', '--name', 'multi', '--network', 'net1', 'alpine', 'sleep', '1000']);
    await d.ok(['network', 'connect', 'net2', 'multi']);
    const ps = await d.ok(['ps', '--format', '{{.Names}} {{.Status}}']);
    for (const n of ['alpha', 'beta', 'gamma', 'multi']) assert.match(ps, new RegExp(`^${n} Up`, 'm'));
    // The container sees what inspect says: its address on eth0, its hostname, Docker's resolv.conf.
    const ipA = await d.ip('alpha', 'net1');
    assert.match(await d.ok(['exec', 'alpha', 'ip', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${ipA.replace(/\./g, '\\.')}/16`));
    assert.match(await d.ok(['exec', 'alpha', 'cat', '/etc/resolv.conf']), /^nameserver 127\.0\.0\.11$/m);
    const id = await d.ok(['inspect', '-f', '{{.Id}}', 'alpha']);
    assert.equal(await d.ok(['exec', 'alpha', 'hostname']), id.slice(0, 12));
  });

  it('resolves names, aliases and reaches by ping and TCP within a network', async () => {
    const ipB = await d.ip('beta', 'net1');
    assert.match(await d.ok(['exec', 'alpha', 'nslookup', 'beta']), new RegExp(`Address: ${ipB.replace(/\./g, '\\.')}`));
    assert.match(await d.ok(['exec', 'alpha', 'nslookup', 'bee']), new RegExp(ipB.replace(/\./g, '\\.')));
    assert.equal(await d.status('alpha', [...PING, 'beta']), 0);
    assert.equal(await d.ok(['exec', 'alpha', 'nc', '-w', '2', 'beta', '8080']), 'ok');
  });

  it('isolates networks: no name, no ping, no TCP across them; a multi-homed container reaches both', async () => {
    const ipC = await d.ip('gamma', 'net2');
    assert.notEqual(await d.status('alpha', ['nslookup', 'gamma']), 0);
    assert.notEqual(await d.status('alpha', [...PING, ipC]), 0);
    assert.notEqual(await d.status('alpha', ['nc', '-w', '1', ipC, '8080']), 0);
    assert.equal(await d.status('multi', [...PING, 'alpha']), 0);
    assert.equal(await d.status('multi', [...PING, 'gamma']), 0);
    assert.equal(await d.ok(['exec', 'multi', 'nc', '-w', '2', 'gamma', '8080']), 'ok');
    // Both interfaces, the one set up at start and the one `network connect` added, have their
    // broadcast address, as Docker's do.
    for (const [ifname, net] of [['eth0', 'net1'], ['eth1', 'net2']]) {
      const ip = await d.ip('multi', net);
      const brd = `${ip.split('.').slice(0, 2).join('.')}.255.255`;
      assert.match(await d.ok(['exec', 'multi', 'ip', '-4', 'addr', 'show', ifname]), new RegExp(`inet ${ip}/16 brd ${brd.replace(/\./g, '\\.')} `), ifname);
    }
  });

  it('disconnect and stop take away reachability and names', async () => {
    const ipM = await d.ip('multi', 'net1');
    await d.ok(['network', 'disconnect', 'net1', 'multi']);
    assert.notEqual(await d.status('alpha', [...PING, ipM]), 0);
    assert.notEqual(await d.status('alpha', ['nslookup', 'multi']), 0);
    assert.equal(await d.status('multi', [...PING, 'gamma']), 0, 'm still reaches net2 (its default route moved there)');
    const ipB = await d.ip('beta', 'net1');
    await d.ok(['stop', '-t', '1', 'beta']);
    assert.notEqual(await d.status('alpha', ['nslookup', 'beta']), 0);
    assert.notEqual(await d.status('alpha', [...PING, ipB]), 0);
    assert.match(await d.ok(['ps', '-a', '--filter', 'name=^/beta$', '--format', '{{.Status}}']), /^Exited \(137\)/);
  });

  it('a restart gives a new MAC with the same IPs, and neighbours learn it at once (unsolicited ARP and NA)', async () => {
    await d.ok(['network', 'create', '--subnet', '10.77.0.0/24', '--ipv6', '--subnet', 'fd77::/64', 'fixed']);
    await d.ok(['run', '-d', '--name', 'rs', '--network', 'fixed', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'peer', '--network', 'fixed', 'alpine', 'sleep', '1000']);
    const mac = () => d.ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "fixed").MacAddress}}', 'rs']);
    const ip = await d.ip('rs', 'fixed');
    const ip6 = await d.ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "fixed").GlobalIPv6Address}}', 'rs']);
    assert.match(ip6, /^fd77::/);
    // The peer's neighbour entry for an address: its MAC, once the announcements have arrived.
    const learns = async (addr: string, want: string) => {
      let seen = '';
      for (let i = 0; i < 20 && !seen.includes(want); i++) {
        seen = await d.ok(['exec', 'peer', 'ip', 'neigh', 'show', addr]);
        if (!seen.includes(want)) await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(seen, new RegExp(want), `${addr}: peer's neighbour entry`);
    };
    const before = await mac();
    assert.equal(await d.status('peer', [...PING, '-4', 'rs']), 0);
    assert.equal(await d.status('peer', ['ping6', '-c', '1', '-W', '1', 'rs']), 0);
    await learns(ip, before);
    await learns(ip6, before);
    await d.ok(['restart', '-t', '1', 'rs']);
    const after = await mac();
    assert.equal(await d.ip('rs', 'fixed'), ip);
    assert.notEqual(after, before, 'Docker 28: a new random MAC per endpoint');
    // Without the announcements peer would keep the old MAC for its reachable time (15-45 s).
    await learns(ip, after);
    await learns(ip6, after);
    assert.equal(await d.status('peer', [...PING, ip]), 0);
    assert.equal(await d.status('peer', ['ping6', '-c', '1', '-W', '1', ip6]), 0);
    // The same for a running container connected again (its new endpoint is announced by its shim).
    await d.ok(['network', 'disconnect', 'fixed', 'rs']);
    await d.ok(['network', 'connect', '--ip', ip, '--ip6', ip6, 'fixed', 'rs']);
    const reconnected = await mac();
    assert.notEqual(reconnected, after);
    await learns(ip, reconnected);
    await learns(ip6, reconnected);
  });

  it('advertise_addr_nmsgs=0 turns the announcements off; bad advertise options are refused with Docker\'s texts', async () => {
    for (const [opt, text] of [
      ['com.docker.network.advertise_addr_nmsgs=4', 'com.docker.network.advertise_addr_nmsgs must be in the range 0 to 3'],
      ['com.docker.network.advertise_addr_nmsgs=x', 'value for option com.docker.network.advertise_addr_nmsgs "x" must be an integer'],
      ['com.docker.network.advertise_addr_ms=99', 'com.docker.network.advertise_addr_ms must be in the range 100 to 2000'],
    ]) {
      const r = await d.docker(['network', 'create', '-o', opt, 'bad']);
      assert.equal(r.code, 1);
      assert.equal(r.err.trim(), `Error response from daemon: ${text}`);
    }
    // Drivers the linux plane does not build are refused as Docker refuses a missing plugin; swarm too.
    for (const driver of ['macvlan', 'overlay']) {
      const r = await d.docker(['network', 'create', '-d', driver, 'bad']);
      assert.deepEqual([r.code, r.err.trim()], [1, `Error response from daemon: plugin "${driver}" not found`]);
    }
    const swarm = await d.docker(['swarm', 'init']);
    assert.equal(swarm.code, 1);
    assert.match(swarm.err, /swarm mode is simulated only/);
    assert.doesNotMatch(await d.ok(['network', 'ls', '--format', '{{.Name}}']), /^bad$/m, 'nothing created');
    await d.ok(['network', 'create', '--subnet', '10.78.0.0/24', '-o', 'com.docker.network.advertise_addr_nmsgs=0', 'quiet']);
    await d.ok(['run', '-d', '--name', 'q1', '--network', 'quiet', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'q2', '--network', 'quiet', 'alpine', 'sleep', '1000']);
    const ip = await d.ip('q1', 'quiet');
    assert.equal(await d.status('q2', [...PING, ip]), 0);
    const before = await d.ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "quiet").MacAddress}}', 'q1']);
    await d.ok(['restart', '-t', '1', 'q1']);
    await new Promise((r) => setTimeout(r, 300));
    // As in Docker's own test of this option: the neighbour keeps the old MAC.
    assert.match(await d.ok(['exec', 'q2', 'ip', 'neigh', 'show', ip]), new RegExp(before));
    await d.ok(['rm', '-f', 'q1', 'q2']);
    await d.ok(['network', 'rm', 'quiet']);
  });

  it('ICC off blocks containers of the same network from each other, not from the gateway', async () => {
    await d.ok(['run', '-d', '--name', 'xx', '--network', 'noicc', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'yy', '--network', 'noicc', 'alpine', 'sleep', '1000']);
    const gw = await d.ok(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'noicc']);
    assert.notEqual(await d.status('xx', [...PING, await d.ip('yy', 'noicc')]), 0);
    assert.equal(await d.status('xx', [...PING, gw]), 0);
    // Names still resolve: DNS is not traffic between the containers.
    assert.equal(await d.status('xx', ['nslookup', 'yy']), 0);
  });

  it('a started container\'s veth pair is what its network asks for: MTU, MAC, bridge port hairpin/isolated, up', async () => {
    // The shim makes this pair by netlink (not `ip`): every property of the four `ip` lines must hold.
    await d.ok(['network', 'create', '-o', 'com.docker.network.driver.mtu=1400', '-o', 'com.docker.network.bridge.enable_icc=false', 'mtunet']);
    await d.ok(['run', '-d', '--name', 'mm', '--network', 'mtunet', 'alpine', 'sleep', '1000']);
    const netId = await d.ok(['network', 'inspect', '-f', '{{.Id}}', 'mtunet']);
    const mac = await d.ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "mtunet").MacAddress}}', 'mm']);
    const sandboxPid = d.sandboxPid()!;
    const ports = JSON.parse(execFileSync('nsenter', [`--net=/proc/${sandboxPid}/ns/net`, '--', 'ip', '-d', '-j', 'link', 'show', 'master', `br-${netId.slice(0, 12)}`], { encoding: 'utf8' })) as Array<{
      ifname: string;
      mtu: number;
      flags: string[];
      linkinfo: { info_kind: string; info_slave_kind: string; info_slave_data: { hairpin: boolean; isolated: boolean } };
    }>;
    assert.equal(ports.length, 1);
    const [veth] = ports;
    assert.match(veth.ifname, /^veth[0-9a-f]{7}$/);
    assert.equal(veth.mtu, 1400);
    assert.ok(veth.flags.includes('UP'), `host end not up: ${veth.flags.join(',')}`);
    assert.equal(veth.linkinfo.info_kind, 'veth');
    assert.equal(veth.linkinfo.info_slave_kind, 'bridge');
    assert.equal(veth.linkinfo.info_slave_data.hairpin, true);
    assert.equal(veth.linkinfo.info_slave_data.isolated, true);
    assert.equal(await d.ok(['exec', 'mm', 'cat', '/sys/class/net/eth0/mtu']), '1400');
    assert.equal(await d.ok(['exec', 'mm', 'cat', '/sys/class/net/eth0/address']), mac);
    await d.ok(['rm', '-f', 'mm']);
    await d.ok(['network', 'rm', 'mtunet']);
  });

  it('an internal network has no egress; a normal one reaches the outside, masqueraded', async () => {
    // "Outside": a namespace wired to the sandbox (the host) by a veth, with a listener.
    const sandboxPid = d.sandboxPid();
    assert.ok(sandboxPid);
    outside = await Sandbox.create();
    outside.exec(['ip', 'link', 'add', 'ct-out0', 'type', 'veth', 'peer', 'name', 'ct-out1', 'netns', `/proc/${sandboxPid}/ns/net`]);
    outside.ipBatch(['addr add 198.51.100.2/24 dev ct-out0', 'link set ct-out0 up']);
    const inSandbox = (argv: string[]) => execFileSync('nsenter', [`--net=/proc/${sandboxPid}/ns/net`, '--', ...argv]);
    inSandbox(['ip', 'addr', 'add', '198.51.100.1/24', 'dev', 'ct-out1']);
    inSandbox(['ip', 'link', 'set', 'ct-out1', 'up']);
    const ipA = await d.ip('alpha', 'net1');
    await d.ok(['run', '-d', '--name', 'inner', '--network', 'inet', 'alpine', 'sleep', '1000']);
    // A new link carries traffic once the kernel activated it (linkwatch): wait until the host reaches the outside.
    for (let i = 0; i < 20; i++) {
      try {
        inSandbox(['busybox', 'ping', '-c', '1', '-W', '1', '198.51.100.2']);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(await d.status('alpha', [...PING, '198.51.100.2']), 0, 'net1 reaches the outside');
    assert.notEqual(await d.status('inner', [...PING, '198.51.100.2']), 0, 'internal reaches nothing outside');
    // The outside has no route to the containers' subnets: the replies could only come back
    // because it saw the host's address as the source (masquerade).
    assert.throws(() => outside!.exec(['ip', 'route', 'get', ipA]), /unreachable/i);
  });

  it('imports a rootfs tarball as an image and runs it; a failed --rm start leaves no container', async () => {
    const rootfs = join(d.dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'));
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'cat']) symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'etc', 'motd'), 'mini-os\n');
    execFileSync('tar', ['-C', rootfs, '-cf', join(d.dir, 'mini.tar'), '.']);
    const imported = await run(process.execPath, [CLI_JS, 'image', 'import', 'mini', join(d.dir, 'mini.tar')], { env: d.env });
    assert.equal(imported.out, 'mini:latest\n', imported.err);
    assert.equal(await d.ok(['run', '--rm', 'mini', 'cat', '/etc/motd']), 'mini-os');
    const missingApplet = await d.docker(['run', '--rm', 'mini', 'ls'], 20_000);
    assert.equal(missingApplet.code, 127);
    assert.match(missingApplet.err, /exec: "ls": executable file not found in \$PATH/);
    assert.doesNotMatch(await d.ok(['ps', '-a', '--format', '{{.Image}}']), /mini/);
    const builtin = await run(process.execPath, [CLI_JS, 'image', 'import', 'alpine', join(d.dir, 'mini.tar')], { env: d.env });
    assert.notEqual(builtin.code, 0);
    assert.match(builtin.err, /alpine is a built-in image/);
  });

  it('docker load: layers with whiteouts (plain and gzip), the image config, refusals; nothing written outside the rootfs', async () => {
    const dir = join(d.dir, 'save');
    const layer = (name: string, files: (root: string) => void, gzip = false) => {
      const root = join(dir, `${name}-root`);
      mkdirSync(root, { recursive: true });
      files(root);
      mkdirSync(join(dir, 'archive', name), { recursive: true });
      execFileSync('tar', ['-C', root, gzip ? '-czf' : '-cf', join(dir, 'archive', name, gzip ? 'layer.tar.gz' : 'layer.tar'), '.']);
      return `${name}/${gzip ? 'layer.tar.gz' : 'layer.tar'}`;
    };
    const archive = (file: string, repoTags: string[], layers: string[], config: object) => {
      writeFileSync(join(dir, 'archive', 'config.json'), JSON.stringify({ config }));
      writeFileSync(join(dir, 'archive', 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: repoTags, Layers: layers }]));
      execFileSync('tar', ['-C', join(dir, 'archive'), '-cf', join(dir, file), 'manifest.json', 'config.json', ...layers]);
      return join(dir, file);
    };
    const outside = join(d.dir, 'outside');
    mkdirSync(outside);
    const l1 = layer('l1', (r) => {
      for (const sub of ['bin', 'etc/old', 'var']) mkdirSync(join(r, sub), { recursive: true });
      copyFileSync('/bin/busybox', join(r, 'bin', 'busybox'));
      for (const applet of ['sh', 'cat', 'ls', 'readlink']) symlinkSync('busybox', join(r, 'bin', applet));
      writeFileSync(join(r, 'etc', 'motd'), 'one\n');
      writeFileSync(join(r, 'etc', 'old', 'gone'), '');
      symlinkSync('/run', join(r, 'var', 'run'));
      symlinkSync(outside, join(r, 'evil')); // resolves inside the rootfs when layers are applied
    });
    const l2 = layer('l2', (r) => {
      for (const sub of ['bin', 'etc/old', 'evil']) mkdirSync(join(r, sub), { recursive: true });
      writeFileSync(join(r, 'bin', '.wh.ls'), '');
      writeFileSync(join(r, 'etc', 'motd'), 'two\n');
      writeFileSync(join(r, 'etc', 'old', '.wh..wh..opq'), '');
      writeFileSync(join(r, 'etc', 'old', 'new'), '');
      writeFileSync(join(r, 'evil', 'pwned'), '');
    }, true);
    const good = archive('demo.tar', ['demo/motd:1.0'], [l1, l2], { Cmd: ['cat', '/etc/motd'], Env: ['PATH=/bin', 'GREETING=hi'] });
    assert.equal(await d.ok(['load', '-i', good]), 'Loaded image: demo/motd:1.0');
    assert.ok(!existsSync(join(outside, 'pwned')), 'a layer wrote through a symlink to outside the rootfs');
    assert.equal(await d.ok(['run', '--rm', 'demo/motd:1.0']), 'two', 'the config\'s Cmd; the upper layer wins');
    assert.equal(await d.ok(['run', '--rm', 'demo/motd:1.0', 'sh', '-c', 'ls /etc/old; echo $GREETING; readlink /var/run']), 'new\nhi\n/run');
    assert.equal((await d.docker(['run', '--rm', 'demo/motd:1.0', 'ls'], 20_000)).code, 127, 'whited out');
    assert.equal(await d.ok(['image', 'inspect', '-f', '{{json .Config.Cmd}}', 'demo/motd:1.0']), '["cat","/etc/motd"]');
    // Refused, and nothing changes: a built-in name, something that is not an archive, an archive without a manifest.
    const builtin = await d.docker(['load', '-i', archive('alpine.tar', ['alpine:latest'], [l1], {})]);
    assert.equal(builtin.code, 1);
    assert.match(builtin.err, /alpine is one of crosstalk's built-in image names/);
    writeFileSync(join(dir, 'junk.tar'), 'not a tar file at all\n'.repeat(100));
    const junk = await d.docker(['load', '-i', join(dir, 'junk.tar')]);
    assert.equal(junk.code, 1);
    assert.match(junk.err, /^Error response from daemon: the archive is not a tar file/);
    execFileSync('tar', ['-C', join(dir, 'archive'), '-cf', join(dir, 'bare.tar'), 'config.json']);
    assert.match((await d.docker(['load', '-i', join(dir, 'bare.tar')])).err, /the archive has no manifest.json: is it from docker save\?/);
    assert.equal(await d.ok(['run', '--rm', 'alpine', 'cat', '/etc/motd']).catch(() => 'no motd'), 'no motd', 'the built-in image is untouched');
    // A layer with only `evil/pwned` (no directory entry to replace l1's symlink `evil` -> the
    // host's `outside`, which exists): applied outside a chroot, it would write there.
    mkdirSync(join(dir, 'archive', 'l3'));
    execFileSync('tar', ['-C', join(dir, 'l2-root'), '-cf', join(dir, 'archive', 'l3', 'layer.tar'), 'evil/pwned']);
    await d.docker(['load', '-i', archive('escape.tar', ['demo/escape:1'], [l1, 'l3/layer.tar'], {})]);
    assert.ok(!existsSync(join(outside, 'pwned')), 'a layer wrote through a symlink to outside the rootfs');
  });

  it('images and info describe the real plane: only images with a root filesystem; no registry to pull from', async () => {
    const images = (await d.ok(['images', '--format', '{{.Repository}}'])).split('\n').sort();
    assert.deepEqual([...new Set(images)], ['alpine', 'busybox', 'demo/motd', 'mini']);
    const nginx = await d.docker(['run', '-d', '--name', 'ngx', 'nginx']);
    assert.equal(nginx.code, 125);
    assert.match(nginx.err, /^Unable to find image 'nginx:latest' locally\n/);
    assert.match(nginx.err, /docker: Error response from daemon: pull access denied for nginx: crosstalk's linux data plane has no registry; it runs alpine, busybox, mini, demo\/motd and what docker load or crosstalk image import adds/);
    assert.doesNotMatch(await d.ok(['ps', '-a', '--format', '{{.Names}}']), /ngx/, 'no container is created');
    assert.equal((await d.docker(['image', 'inspect', 'nginx'])).code, 1);
    // rmi: a loaded image in use by a container is kept; unused, it goes (tag, then files); built-ins stay.
    await d.ok(['create', '--name', 'user', 'demo/motd:1.0']);
    const inUse = await d.docker(['rmi', 'demo/motd:1.0']);
    assert.equal(inUse.code, 1);
    assert.match(inUse.err, /^Error response from daemon: conflict: unable to remove repository reference "demo\/motd:1.0" \(must force\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}$/m);
    await d.ok(['rm', 'user']);
    assert.match(await d.ok(['rmi', 'demo/motd:1.0']), /^Untagged: demo\/motd:1.0\nDeleted: sha256:[0-9a-f]{64}$/);
    assert.doesNotMatch(await d.ok(['images', '--format', '{{.Repository}}']), /demo/);
    assert.equal((await d.docker(['run', '--rm', 'demo/motd:1.0'])).code, 125);
    const builtin = await d.docker(['rmi', 'busybox']);
    assert.equal(builtin.code, 1);
    assert.match(builtin.err, /busybox is a built-in image/);
    assert.match(await d.ok(['image', 'prune', '-a', '-f']), /^Deleted Images:\nuntagged: mini:latest\ndeleted: sha256:/);
    assert.deepEqual([...new Set((await d.ok(['images', '--format', '{{.Repository}}'])).split('\n'))].sort(), ['alpine', 'busybox']);
    assert.equal(await d.ok(['info', '--format', '{{.DefaultRuntime}} {{.LiveRestoreEnabled}} {{.Plugins.Network}} {{.ID}}']), 'runc true [bridge host null] crosstalk-linux-host');
  });

  it('--network host shares the (sandbox) host\'s namespace; --network container:X shares X\'s, its names and its localhost', async () => {
    await d.ok(['network', 'create', 'share']);
    await d.ok(['run', '-d', '--name', 'owner', '--network', 'share', 'alpine', 'nc', '-ll', '-p', '7000', '-e', 'echo', 'from-owner']);
    await d.ok(['run', '-d', '--name', 'mate', '--network', 'share', 'alpine', 'sleep', '1000']);
    const ownerIp = await d.ip('owner', 'share');
    // Host mode: the host's links (docker0, the bridges) and a route to every bridge network.
    const hostLinks = await d.ok(['run', '--rm', '--network', 'host', 'alpine', 'ip', '-o', 'link']);
    assert.match(hostLinks, /: docker0: /);
    assert.match(await d.ok(['run', '--rm', '--network', 'host', 'alpine', 'nc', '-w', '2', ownerIp, '7000']), /^from-owner$/);
    // container:owner: the same interface and address, owner's listener on 127.0.0.1, and names through owner's 127.0.0.11.
    await d.ok(['run', '-d', '--name', 'side', '--network', 'container:owner', 'alpine', 'sleep', '1000']);
    assert.match(await d.ok(['exec', 'side', 'ip', '-4', '-o', 'addr', 'show', 'eth0']), new RegExp(`inet ${ownerIp.replace(/\./g, '\\.')}/16 `));
    assert.equal(await d.ok(['exec', 'side', 'nc', '-w', '2', '127.0.0.1', '7000']), 'from-owner');
    // Docker gives it owner's hostname and files.
    const ownerHost = await d.ok(['inspect', '-f', '{{.Config.Hostname}} {{.HostsPath}}', 'owner']);
    assert.equal(await d.ok(['inspect', '-f', '{{.Config.Hostname}} {{.HostsPath}}', 'side']), ownerHost);
    assert.equal(await d.ok(['exec', 'side', 'hostname']), ownerHost.split(' ')[0]);
    assert.equal(await d.status('side', [...PING, 'mate']), 0);
    await d.ok(['rm', '-f', 'side', 'owner', 'mate']);
    await d.ok(['network', 'rm', 'share']);
  });

  it('crosstalk explain on the real plane sees who really listens, servers started by docker exec included', async () => {
    await d.ok(['network', 'create', 'expl']);
    await d.ok(['run', '-d', '--name', 'srv', '--network', 'expl', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'cli', '--network', 'expl', 'alpine', 'sleep', '1000']);
    const explain = (to: string) => run(process.execPath, [CLI_JS, 'explain', 'cli', to], { env: d.env });
    const before = await explain('srv:8088');
    assert.equal(before.code, 1);
    assert.match(before.out, /nothing listens on 8088\/tcp in srv/);
    await d.ok(['exec', '-d', 'srv', 'httpd', '-f', '-p', '8088']);
    let after = await explain('srv:8088');
    for (let i = 0; i < 20 && after.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await explain('srv:8088');
    }
    assert.equal(after.code, 0, after.out);
    assert.match(after.out, /srv listens on :::8088\/tcp/);
    assert.match(after.out, /^YES: reachable: cli reaches srv:8088\/tcp/m);
    // And it agrees with a real connection.
    assert.equal((await d.docker(['exec', 'cli', 'nc', '-w', '2', 'srv', '8088'])).code, 0);
    await d.ok(['rm', '-f', 'srv', 'cli']);
    await d.ok(['network', 'rm', 'expl']);
  });

  it('the default bridge uses the sandbox host\'s own resolver: unknown names fail at once (NXDOMAIN), never a 5 s timeout', async () => {
    await d.ok(['run', '-d', '--name', 'db1', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'db2', 'alpine', 'sleep', '1000']);
    assert.match(await d.ok(['exec', 'db1', 'cat', '/etc/resolv.conf']), /^nameserver 192\.0\.2\.53$/m);
    // No embedded DNS on the default bridge: db2 is not a name there, as with Docker.
    const t0 = Date.now();
    const r = await d.docker(['exec', 'db1', 'ping', '-c', '1', '-W', '1', 'db2']);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), "ping: bad address 'db2'");
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    assert.match((await d.docker(['exec', 'db1', 'nslookup', 'db2'])).out, /server can't find db2: NXDOMAIN/);
    // By address it works, as in the walk-through.
    assert.equal(await d.status('db1', [...PING, await d.ip('db2', 'bridge')]), 0);
    await d.ok(['rm', '-f', 'db1', 'db2']);
  });

  it('stops cleanly and leaves nothing behind', async () => {
    const pid = d.sandboxPid();
    assert.equal(await d.stop(), 0);
    await outside?.destroy();
    outside = undefined;
    d.assertNothingLeft(machine, pid);
  });
});

describe('linux data plane across a daemon crash', { skip, timeout: 180_000 }, () => {
  const d = new LinuxDaemon();
  let machine: MachineSnapshot;

  before(async () => {
    machine = machineSnapshot();
    await d.start();
  });
  after(() => d.destroy());

  it('a killed daemon restarts into the same sandbox: containers keep running and resolving', async () => {
    await d.ok(['network', 'create', 'n']);
    await d.ok(['run', '-d', '--name', 'pp', '--network', 'n', 'alpine', 'sleep', '1000']);
    await d.ok(['run', '-d', '--name', 'qq', '--network', 'n', 'alpine', 'sleep', '1000']);
    const sandboxPid = d.sandboxPid();
    await d.kill9();
    await d.start();
    assert.equal(d.sandboxPid(), sandboxPid, 'same sandbox');
    assert.match(await d.ok(['ps', '--format', '{{.Names}}']), /^pp$/m);
    assert.equal(await d.status('pp', ['nslookup', 'qq']), 0);
    assert.equal(await d.status('pp', [...PING, 'qq']), 0);
  });

  it('after kill -9, --cleanup removes everything', async () => {
    const pid = d.sandboxPid();
    await d.kill9();
    d.cleanup();
    d.assertNothingLeft(machine, pid);
  });
});
