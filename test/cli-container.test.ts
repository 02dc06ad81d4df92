/**
 * Container commands through the CLI: run/create/start/stop/rm/ps/inspect/exec/attach/logs with
 * Docker's output and exit codes, and the container inspect JSON golden.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, newCli, type TestCli } from './helpers.js';

async function ok(cli: TestCli, line: string, input?: string[]) {
  const r = await cli.run(line, input);
  assert.equal(r.code, 0, `${line} failed: ${r.err}`);
  return r;
}

describe('run and create', () => {
  it('prints the full ID with -d and gives generated names', async () => {
    const cli = newCli();
    const r = await ok(cli, 'docker run -d alpine sleep 1d');
    assert.match(r.out, /^[0-9a-f]{64}\n$/);
    const name = (await ok(cli, 'docker ps --format {{.Names}}')).out.trim();
    assert.match(name, /^[a-z]+_[a-z]+$/);
    assert.notEqual(name, 'boring_wozniak');
  });

  it('reports daemon errors as docker: … with exit 125', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -d --name web alpine sleep 1d');
    const dup = await cli.run('docker run -d --name web alpine sleep 1d');
    assert.equal(dup.code, 125);
    assert.match(dup.err, /^docker: Error response from daemon: Conflict\. The container name "\/web" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\n\nRun 'docker run --help' for more information\n$/);
    const bad = await cli.run('docker run -d --name x alpine');
    assert.equal(bad.err, "docker: Error response from daemon: Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n\nRun 'docker run --help' for more information\n");
    const missing = await cli.run('docker run -d nosuchimage');
    assert.equal(missing.code, 125);
    assert.match(missing.err, /^Unable to find image 'nosuchimage:latest' locally\ndocker: Error response from daemon: pull access denied for nosuchimage: .*alpine/);
    const flag = await cli.run('docker run --bogus alpine');
    assert.equal(flag.code, 125);
    assert.match(flag.err, /^unknown flag: --bogus\n/);
    const tty = await cli.run('docker run -it alpine sh');
    assert.deepEqual([tty.code, tty.err], [1, 'the input device is not a TTY\n']);
  });

  it('fails at start for a missing network and leaves the created container, as Docker does', async () => {
    const cli = newCli();
    const r = await cli.run('docker run -d --name ghost --network nope alpine sleep 1d');
    assert.equal(r.code, 125);
    assert.match(r.out, /^[0-9a-f]{64}\n$/);
    assert.equal(r.err, "docker: Error response from daemon: failed to set up container networking: network nope not found\n\nRun 'docker run --help' for more information\n");
    assert.equal((await ok(cli, 'docker ps -a --format "{{.Names}} {{.State}}"')).out, 'ghost created\n');
  });

  it('runs one-shot commands attached, prints their output, and removes --rm containers', async () => {
    const cli = newCli();
    const r = await cli.run('docker run --rm alpine sh -c "echo hello; exit 3"');
    assert.deepEqual([r.code, r.out], [3, 'hello\n']);
    assert.equal((await ok(cli, 'docker ps -aq')).out, '');
    const kept = await cli.run('docker run --name once alpine echo hi');
    assert.deepEqual([kept.code, kept.out], [0, 'hi\n']);
    assert.equal((await ok(cli, 'docker logs once')).out, 'hi\n');
    assert.match((await ok(cli, 'docker ps -a --format {{.Status}}')).out, /^Exited \(0\) /);
  });

  it('publishes ports and shows them in ps and inspect', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -d --name web -p 8080:80 nginx');
    assert.equal((await ok(cli, 'docker ps --format {{.Ports}}')).out, '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp\n');
    assert.equal((await ok(cli, `docker inspect -f '{{json .NetworkSettings.Ports}}' web`)).out, '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}]}\n');
  });
});

describe('ports and start failures', () => {
  it('refuses a host port that is already bound, and invalid port numbers', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -d --name z7 -p 8080:80 nginx');
    const clash = await cli.run('docker run -d --name z8 -p 8080:80 nginx');
    assert.equal(clash.code, 125);
    assert.match(clash.err, /^docker: Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint z8 \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated\n/);
    assert.equal((await ok(cli, 'docker ps -a --format "{{.Names}} {{.State}}"')).out, 'z8 created\nz7 running\n');
    await ok(cli, 'docker run -d --name z9 -p 8081:80 nginx');
    const bad = await cli.run('docker run -d -p 99999:80 nginx');
    assert.deepEqual([bad.code, bad.err], [125, "docker: Invalid hostPort: 99999\n\nRun 'docker run --help' for more information\n"]);
    const badC = await cli.run('docker run -d -p 70000 nginx');
    assert.deepEqual([badC.code, badC.err], [125, "docker: Invalid containerPort: 70000\n\nRun 'docker run --help' for more information\n"]);
    assert.equal((await ok(cli, 'docker ps -aq')).out.trim().split('\n').length, 3);
  });

  it('programs no port mapping for a container only on an internal network', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create --internal testnet');
    await ok(cli, 'docker run -d --name testcon --network testnet -p 127.0.0.1:80:80 nginx:alpine');
    assert.equal((await ok(cli, 'docker ps --format {{.Ports}}')).out, '80/tcp\n');
    assert.equal((await ok(cli, `docker inspect -f '{{json .NetworkSettings.Ports}}' testcon`)).out, '{"80/tcp":null}\n');
  });

  it('fails like runc for a missing executable (exit 127) and keeps the created container', async () => {
    const cli = newCli();
    const r = await cli.run('docker run --name nobin alpine nosuchbinary');
    assert.equal(r.code, 127);
    assert.equal(r.err, 'docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "nosuchbinary": executable file not found in $PATH: unknown\n\nRun \'docker run --help\' for more information\n');
    assert.equal((await ok(cli, 'docker ps -a --format "{{.Names}} {{.State}}"')).out, 'nobin created\n');
    // A path is not searched in PATH: runc stats it (exec.LookPath), and says so.
    const path = await cli.run('docker run --rm alpine /opt/nosuch');
    assert.equal(path.code, 127);
    assert.match(path.err, /error during container init: exec: "\/opt\/nosuch": stat \/opt\/nosuch: no such file or directory: unknown\n/);
  });

  it('keeps a removed network in a stopped container and names it when start fails', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create lapine-net');
    await ok(cli, 'docker run -d --name a3 --network lapine-net alpine sleep 1d');
    await ok(cli, 'docker stop a3');
    assert.equal((await ok(cli, 'docker network prune -f')).out, 'Deleted Networks:\nlapine-net\n\n');
    assert.equal((await ok(cli, `docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' a3`)).out, 'lapine-net\n');
    const start = await cli.run('docker start a3');
    assert.equal(start.err, 'Error response from daemon: failed to set up container networking: network lapine-net not found\nError: failed to start containers: a3\n');
  });
});

describe('ps, stop, start, rm', () => {
  it('prints the ps table like docker 28', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -dit --name alpine1 alpine ash');
    await ok(cli, 'docker run -d --name web nginx:alpine');
    const r = await ok(cli, 'docker ps');
    const lines = r.out.split('\n');
    assert.match(lines[0], /^CONTAINER ID   IMAGE          COMMAND                  CREATED +STATUS +PORTS     NAMES$/);
    assert.match(lines[1], /^[0-9a-f]{12}   nginx:alpine   "\/docker-entrypoint\.…"   \d+ seconds ago +Up \d+ seconds?\s+80\/tcp    web$/);
    assert.match(lines[2], /^[0-9a-f]{12}   alpine         "ash"                    \d+ seconds ago +Up \d+ seconds?\s+alpine1$/);
    const cmd = await ok(cli, 'docker ps --no-trunc --format {{.Command}} --filter name=web');
    assert.equal(cmd.out, `"/docker-entrypoint.sh nginx -g 'daemon off;'"\n`, 'args with spaces are single-quoted, as moby lists them');
    const json = JSON.parse((await ok(cli, 'docker ps --format json --filter name=alpine1')).out);
    assert.deepEqual(Object.keys(json), ['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
    assert.equal(json.Networks, 'bridge');
  });

  it('stop releases the address, start takes the lowest free one, rm refuses running containers', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create a');
    await ok(cli, 'docker run -d --name one --network a alpine sleep 1d');
    assert.deepEqual(await cli.run('docker stop one'), { code: 0, out: 'one\n', err: '' });
    assert.equal((await ok(cli, 'docker ps -a --format {{.Status}}')).out.slice(0, 13), 'Exited (137) ');
    await ok(cli, 'docker run -d --name two --network a alpine sleep 1d');
    await ok(cli, 'docker start one');
    assert.equal((await ok(cli, "docker inspect -f '{{.NetworkSettings.Networks.a.IPAddress}}' one two")).out, '172.18.0.3\n172.18.0.2\n');
    const rm = await cli.run('docker rm one nope');
    assert.equal(rm.code, 1);
    assert.equal(rm.err, 'Error response from daemon: cannot remove container "/one": container is running: stop the container before removing or force remove\nError response from daemon: No such container: nope\n');
    assert.deepEqual(await cli.run('docker rm -f one'), { code: 0, out: 'one\n', err: '' });
    const start = await cli.run('docker start nope');
    assert.equal(start.err, 'Error response from daemon: No such container: nope\nError: failed to start containers: nope\n');
  });
});

describe('inspect, exec, attach', () => {
  it('matches the container inspect golden (IDs and times from the seeded engine)', async () => {
    const cli = newCli({ profile: 'legacy' });
    await ok(cli, 'docker network create alpine-net');
    await ok(cli, 'docker run -dit --name alpine1 --network alpine-net --network-alias web --hostname a1 alpine ash');
    await ok(cli, 'docker network connect bridge alpine1');
    assertGolden('container-inspect-legacy.json', (await ok(cli, 'docker container inspect alpine1')).out);
    const nets = await ok(cli, `docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}},{{$v.MacAddress}} {{end}}' alpine1`);
    assert.equal(nets.out, 'alpine-net=172.18.0.2,02:42:ac:12:00:02 bridge=172.17.0.2,02:42:ac:11:00:02 \n');
    const missing = await cli.run('docker inspect nope');
    assert.deepEqual([missing.code, missing.out, missing.err], [1, '[]\n', 'Error: No such object: nope\n']);
  });

  it('exec runs simulated busybox commands; a stopped container refuses', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create a');
    await ok(cli, 'docker run -d --name one --network a alpine sleep 1d');
    await ok(cli, 'docker run -d --name two --network a alpine sleep 1d');
    const ping = await ok(cli, 'docker exec one ping -c 1 two');
    assert.match(ping.out, /^PING two \(172\.18\.0\.3\): 56 data bytes\n64 bytes from 172\.18\.0\.3: seq=0 ttl=64 time=/);
    const resolv = await ok(cli, 'docker exec one cat /etc/resolv.conf');
    assert.match(resolv.out, /^# Generated by Docker Engine\.\n/);
    assert.match(resolv.out, /\nnameserver 127\.0\.0\.11\n/);
    await ok(cli, 'docker stop two');
    const stopped = await cli.run('docker exec two hostname');
    assert.equal(stopped.code, 1);
    assert.match(stopped.err, /^Error response from daemon: container [0-9a-f]{64} is not running\n$/);
    const ls = await cli.run('docker exec one ls /');
    assert.equal(ls.code, 127);
    assert.match(ls.err, /^crosstalk: 'ls' exists in the real image but is not simulated/);
    const curl = await cli.run('docker exec one curl http://two/');
    assert.equal(curl.code, 126);
    // As moby sends it: on the exec's stdout, ending "\r\n".
    assert.deepEqual([curl.out, curl.err], ['OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown\r\n', '']);
    const ghost = await cli.run('docker exec -u ghost one hostname');
    assert.deepEqual([ghost.code, ghost.out, ghost.err], [126, 'unable to find user ghost: no matching entries in passwd file\r\n', '']);
    assert.equal((await ok(cli, 'docker exec -u daemon one whoami')).out, 'daemon\n');
    const runGhost = await cli.run('docker run --rm -u ghost alpine true');
    assert.deepEqual([runGhost.code, runGhost.err], [125, "docker: Error response from daemon: unable to find user ghost: no matching entries in passwd file\n\nRun 'docker run --help' for more information\n"]);
    for (const [line, text] of [
      ['docker run -d --restart bogus alpine true', "docker: Error response from daemon: invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
      ['docker run --rm --restart always alpine true', 'docker: conflicting options: cannot specify both --restart and --rm'],
      ['docker run -d --restart on-failure:x alpine true', 'docker: invalid restart policy format: maximum retry count must be an integer'],
      ['docker run -d --restart :3 alpine true', 'docker: invalid restart policy format: no policy provided before colon'],
    ]) {
      const r = await cli.run(line);
      assert.deepEqual([r.code, r.err], [125, `${text}\n\nRun 'docker run --help' for more information\n`], line);
    }
    // A link to a missing container is a bad parameter (400), not a missing image: no pull.
    const badLink = await cli.run('docker run -d --link nosuch:db alpine sleep 1');
    assert.deepEqual([badLink.code, badLink.err], [125, "docker: Error response from daemon: could not get container for nosuch: No such container: nosuch\n\nRun 'docker run --help' for more information\n"]);
    // A program every real image has but the simulator does not model: the container runs and says so.
    const idRun = await cli.run('docker run --rm alpine id');
    assert.equal(idRun.code, 127);
    assert.match(idRun.err, /^crosstalk: 'id' exists in the real image but is not simulated/);
    assert.match((await cli.run("docker run --rm alpine sh -c 'ls /'")).err, /^crosstalk: 'ls' exists in the real image but is not simulated/);
    await ok(cli, 'docker create --name pol --restart on-failure:5 alpine true');
    assert.equal((await ok(cli, "docker inspect -f '{{json .HostConfig.RestartPolicy}}' pol")).out, '{"Name":"on-failure","MaximumRetryCount":5}\n');
    // docker update --restart: the policy changes (as docker CLI 28 prints against crosstalkd).
    assert.equal((await ok(cli, 'docker update --restart always pol')).out, 'pol\n');
    assert.equal((await ok(cli, "docker inspect -f '{{json .HostConfig.RestartPolicy}}' pol")).out, '{"Name":"always","MaximumRetryCount":0}\n');
    const badUpdate = await cli.run('docker update --restart bogus pol nosuch');
    assert.deepEqual([badUpdate.code, badUpdate.err], [1, "Error response from daemon: invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\nError response from daemon: No such container: nosuch\n"]);
    await ok(cli, 'docker create --rm --name autorm alpine true');
    assert.match((await cli.run('docker update --restart always autorm')).err, /^Error response from daemon: Cannot update container [0-9a-f]{64}: Restart policy cannot be updated because AutoRemove is enabled for the container\n$/);
    // docker port, as docker CLI 28 prints it against crosstalkd (natural order, [::] bracketed).
    await ok(cli, 'docker run -d --name pub -p 8080:80 -p 127.0.0.1::53/udp nginx');
    assert.equal((await ok(cli, 'docker port pub')).out, '53/udp -> 127.0.0.1:32768\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n');
    assert.equal((await ok(cli, 'docker container port pub 53/udp')).out, '127.0.0.1:32768\n');
    for (const [arg, text] of [['81', "Error: No public port '81' published for pub"], ['abc', 'Error: invalid port (abc): strconv.ParseUint: parsing "abc": invalid syntax']]) {
      const r = await cli.run(`docker port pub ${arg}`);
      assert.deepEqual([r.code, r.err], [1, `${text}\n`]);
    }
    const fail = await cli.run('docker exec one ping -c 1 two');
    assert.deepEqual([fail.code, fail.err], [1, "ping: bad address 'two'\n"]);
  });

  it('a connection from exec reaches a listener; busybox nc -l (even -lk, without -e) exits after one connection; httpd stays', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create a');
    await ok(cli, 'docker run -d --name once --network a alpine nc -l -p 8080');
    await ok(cli, 'docker run -d --name keep --network a busybox httpd -f -p 8080');
    await ok(cli, 'docker run -d --name local --network a alpine nc -lk -s 127.0.0.1 -p 8080');
    await ok(cli, 'docker run -d --name client --network a alpine sleep 1d');
    await ok(cli, 'docker exec client nc -z once 8080');
    await ok(cli, 'docker exec client nc -z keep 8080');
    const refused = await cli.run('docker exec client nc -z local 8080');
    assert.equal(refused.code, 1);
    const states = await ok(cli, 'docker ps -a --format "{{.Names}} {{.State}}"');
    assert.match(states.out, /^once exited$/m);
    assert.match(states.out, /^keep running$/m);
    const gone = await cli.run('docker exec client nc -z once 8080');
    assert.equal(gone.code, 1);
  });

  it('attach gives an interactive shell; ctrl-p ctrl-q detaches; exit stops the container', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -dit --name sh1 alpine ash');
    const detached = await cli.run('docker attach sh1', ['hostname', '\x10\x11']);
    assert.equal(detached.code, 1, 'the docker CLI exits 1 after the detach keys');
    const id = (await ok(cli, 'docker inspect -f {{.Id}} sh1')).out.trim();
    // A terminal's line discipline: the shell's prompt, the echoed line, output with CR LF.
    assert.equal(detached.out, `/ # hostname\r\n${id.slice(0, 12)}\r\n/ # `);
    assert.equal(detached.err, 'read escape sequence\n');
    assert.equal((await ok(cli, 'docker ps --format {{.Names}}')).out, 'sh1\n');
    const exited = await cli.run('docker attach sh1', ['exit 4']);
    assert.equal(exited.code, 4);
    assert.equal((await ok(cli, 'docker ps -a --format {{.Status}}')).out.slice(0, 11), 'Exited (4) ');
    const again = await cli.run('docker attach sh1');
    assert.deepEqual([again.code, again.err], [1, 'You cannot attach to a stopped container, start it first\n']);
  });

  it('supports host, none and container: network modes, and legacy --link on the default bridge', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -d --name db alpine sleep 1d');
    await ok(cli, 'docker run -d --name app --link db:database alpine sleep 1d');
    const link = await ok(cli, 'docker exec app ping -c 1 database');
    assert.match(link.out, /^PING database \(172\.17\.0\.2\)/);
    assert.match((await ok(cli, 'docker exec app cat /etc/hosts')).out, /^172\.17\.0\.2\tdatabase [0-9a-f]{12} db$/m);
    const noLink = await cli.run('docker exec db ping -c 1 app');
    assert.equal(noLink.err, "ping: bad address 'app'\n");
    await ok(cli, 'docker run -d --name side --network container:db alpine sleep 1d');
    const sideAddr = await ok(cli, 'docker exec side ip addr');
    assert.match(sideAddr.out, /inet 172\.17\.0\.2\/16/);
    await ok(cli, 'docker run -d --name iso --network none alpine sleep 1d');
    const none = await cli.run('docker exec iso ping -c 1 172.17.0.2');
    assert.equal(none.code, 1);
    assert.doesNotMatch((await ok(cli, 'docker exec iso ip addr')).out, /eth0/);
    await ok(cli, 'docker run -d --name hostnet --network host alpine sleep 1d');
    assert.match((await ok(cli, 'docker exec hostnet ip addr')).out, /inet 10\.0\.2\.15\/24/);
    const json = JSON.parse((await ok(cli, 'docker network inspect host')).out)[0];
    assert.deepEqual(Object.values(json.Containers).map((c) => (c as { Name: string }).Name), ['hostnet']);
    const connect = await cli.run('docker network connect bridge hostnet');
    assert.equal(connect.err, 'Error response from daemon: container sharing network namespace with another container or host cannot be connected to any other network\n');
  });

  it('keeps the profile chosen when the state was created', async () => {
    const cli = newCli({ profile: 'legacy' });
    await ok(cli, 'docker network ls');
    const { EngineHost } = await import('../src/cli/engine-host.js');
    const { SeededRandom, SteppingClock } = await import('../src/core/ports.js');
    const other = new EngineHost({ store: cli.store, clock: new SteppingClock(0n), random: new SeededRandom(1), profile: 'default' });
    assert.throws(() => other.read((e) => e.profile.name), /the state was created with --compat legacy; it cannot be used with --compat default/);
  });
});
