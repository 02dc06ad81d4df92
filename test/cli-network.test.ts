/**
 * `docker network` commands through the CLI: output byte for byte (spec §9, §17.2), errors and
 * exit codes (§8), and golden files for whole outputs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertGolden, newCli, type TestCli } from './helpers.js';

async function ok(cli: TestCli, line: string, input?: string[]) {
  const r = await cli.run(line, input);
  assert.equal(r.code, 0, `${line} failed: ${r.err}`);
  return r;
}

async function ids(cli: TestCli): Promise<Record<string, string>> {
  const r = await ok(cli, 'docker network ls --no-trunc --format "{{.Name}} {{.ID}}"');
  return Object.fromEntries(r.out.trim().split('\n').map((l) => l.split(' ')));
}

describe('network ls', () => {
  it('prints the fresh daemon table with 15-wide ID column (NET-01)', async () => {
    const cli = newCli();
    const r = await ok(cli, 'docker network ls');
    const id = await ids(cli);
    assert.equal(
      r.out,
      'NETWORK ID     NAME      DRIVER    SCOPE\n' +
        `${id.bridge.slice(0, 12)}   bridge    bridge    local\n` +
        `${id.host.slice(0, 12)}   host      host      local\n` +
        `${id.none.slice(0, 12)}   none      null      local\n`,
    );
    assert.equal(r.err, '');
  });

  it('sorts names naturally (NET-02) and filters like the daemon (NET-10)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create network-10-foo');
    await ok(cli, 'docker network create network-2-foo');
    await ok(cli, 'docker network create --label foo=bar network-1-foo');
    const names = await ok(cli, 'docker network ls --format {{.Name}}');
    assert.equal(names.out, 'bridge\nhost\nnetwork-1-foo\nnetwork-2-foo\nnetwork-10-foo\nnone\n');
    const f = async (filter: string) => (await ok(cli, `docker network ls ${filter} --format {{.Name}}`)).out.trim().split('\n').filter(Boolean);
    assert.deepEqual(await f('-f name=dge'), ['bridge']);
    assert.deepEqual(await f('-f type=builtin'), ['bridge', 'host', 'none']);
    assert.deepEqual(await f('-f type=custom'), ['network-1-foo', 'network-2-foo', 'network-10-foo']);
    assert.deepEqual(await f('-f type=custom -f type=builtin'), ['bridge', 'host', 'network-1-foo', 'network-2-foo', 'network-10-foo', 'none']);
    assert.deepEqual(await f('-f label=foo'), ['network-1-foo']);
    assert.deepEqual(await f('-f label=foo=bar'), ['network-1-foo']);
    assert.deepEqual(await f('-f label=foo=baz'), []);
    assert.deepEqual(await f('-f driver=null'), ['none']);
    assert.deepEqual(await f('-f driver=host'), ['host']);
    assert.deepEqual(await f('-f driver=bridge -f name=network-1'), ['network-1-foo', 'network-10-foo']);
    assert.deepEqual(await f('-f name=^network-1-'), ['network-1-foo']);
    const id = await ids(cli);
    assert.deepEqual(await f(`-f id=${id['network-2-foo'].slice(0, 5)}`), ['network-2-foo']);
    const header = await ok(cli, 'docker network ls -f label=nonexistent');
    assert.equal(header.out, 'NETWORK ID   NAME      DRIVER    SCOPE\n');
    const bad = await cli.run('docker network ls -f type=nope');
    assert.equal(bad.err, "Error response from daemon: invalid filter: 'type'='nope'\n");
    assert.equal(bad.code, 1);
    const unknown = await cli.run('docker network ls -f color=red');
    assert.equal(unknown.err, "Error response from daemon: invalid filter 'color'\n");
  });

  it('prints -q, --no-trunc, json and raw formats (NET-17)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create --internal --label b=2 --label a=1 net-10');
    const id = await ids(cli);
    const q = await ok(cli, 'docker network ls -q');
    assert.equal(q.out, `${id.bridge.slice(0, 12)}\n${id.host.slice(0, 12)}\n${id['net-10'].slice(0, 12)}\n${id.none.slice(0, 12)}\n`);
    const json = await ok(cli, 'docker network ls --format json -f name=net-10');
    const obj = JSON.parse(json.out);
    assert.deepEqual(Object.keys(obj), ['CreatedAt', 'Driver', 'ID', 'IPv4', 'IPv6', 'Internal', 'Labels', 'Name', 'Scope']);
    assert.equal(obj.ID, id['net-10'].slice(0, 12));
    assert.equal(obj.Internal, 'true');
    assert.equal(obj.Labels, 'a=1,b=2', 'labels arrive as a JSON map, sorted');
    assert.match(obj.CreatedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
    const raw = await ok(cli, 'docker network ls --format raw -f name=net-10');
    assert.equal(raw.out, `network_id: ${id['net-10'].slice(0, 12)}\nname: net-10\ndriver: bridge\nscope: local\n\n`);
    const table = await ok(cli, `docker network ls --no-trunc --format 'table {{.ID}}\\t{{.Name}}\\t{{.IPv4}}\\t{{.Internal}}\\t{{.Labels}}' -f name=net-10`);
    assert.equal(table.out, `NETWORK ID${' '.repeat(57)}NAME      IPV4      INTERNAL   LABELS\n${id['net-10']}   net-10    true      true       a=1,b=2\n`);
    const plain = await ok(cli, `docker network ls --format '{{.Name}}\\t{{.Driver}}' -f name=net-10`);
    assert.equal(plain.out, 'net-10\tbridge\n');
    const tablefoo = await ok(cli, `docker network ls --format 'tablefoo {{.Name}}' -f name=net-10`);
    assert.equal(tablefoo.out, 'foo NAME\nfoo net-10\n');
  });

  it('reports template and argument errors like the docker CLI', async () => {
    const cli = newCli();
    const nope = await cli.run('docker network ls --format {{.Nope}}');
    assert.equal(nope.code, 1);
    assert.equal(nope.err, 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *network.networkContext\n');
    const unclosed = await cli.run('docker network ls --format {{.Name');
    assert.equal(unclosed.err, 'template parsing error: template: :1: unclosed action\n');
    const extra = await cli.run('docker network ls x');
    assert.equal(extra.code, 1);
    assert.equal(extra.err, "docker: 'docker network ls' accepts no arguments\n\nUsage:  docker network ls [OPTIONS]\n\nRun 'docker network ls --help' for more information\n");
    const flag = await cli.run('docker network ls --foo');
    assert.equal(flag.code, 125);
    assert.equal(flag.err, "unknown flag: --foo\n\nUsage:  docker network ls [OPTIONS]\n\nRun 'docker network ls --help' for more information\n");
    const create = await cli.run('docker network create');
    assert.equal(create.err, "docker: 'docker network create' requires 1 argument\n\nUsage:  docker network create [OPTIONS] NETWORK\n\nRun 'docker network create --help' for more information\n");
    const connect = await cli.run('docker network connect a');
    assert.equal(connect.err, "docker: 'docker network connect' requires 2 arguments\n\nUsage:  docker network connect [OPTIONS] NETWORK CONTAINER\n\nRun 'docker network connect --help' for more information\n");
    const rm = await cli.run('docker network rm');
    assert.equal(rm.err, "docker: 'docker network rm' requires at least 1 argument\n\nUsage:  docker network rm NETWORK [NETWORK...]\n\nSee 'docker network rm --help' for more information\n");
    const help = await ok(cli, 'docker network ls --help');
    assert.match(help.out, /^Usage:  docker network ls \[OPTIONS\]\n\nList networks\n\nAliases:\n  docker network ls, docker network list\n/);
  });
});

describe('network create', () => {
  it('prints the ID and applies the IPAM CLI checks (IPAM-10..13)', async () => {
    const cli = newCli();
    const r = await ok(cli, 'docker network create --subnet 10.9.0.0/24 n');
    assert.match(r.out, /^[0-9a-f]{64}\n$/);
    const cfg = await ok(cli, 'docker network inspect -f "{{json .IPAM.Config}}" n');
    assert.equal(cfg.out, '[{"Subnet":"10.9.0.0/24"}]\n');
    const hostBits = await cli.run('docker network create --subnet 10.1.0.5/24 n2');
    assert.equal(hostBits.code, 1);
    assert.equal(hostBits.err, 'Error response from daemon: invalid network config:\n* invalid subnet 10.1.0.5/24: it should be 10.1.0.0/24\n');
    const gw = await cli.run('docker network create --gateway 10.0.0.1 n3');
    assert.equal(gw.err, 'every ip-range or gateway must have a corresponding subnet\n');
    const overlap = await cli.run('docker network create --subnet 10.0.0.0/24 --subnet 10.0.0.0/16 n4');
    assert.equal(overlap.err, 'multiple overlapping subnet configuration is not supported\n');
    const names = await ok(cli, 'docker network ls --format {{.Name}}');
    assert.equal(names.out, 'bridge\nhost\nn\nnone\n', 'failed creates leave nothing behind');
  });

  it('echoes user IPAM config and uses the first free address after a non-.1 gateway (IPAM-08, IPAM-09)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create --subnet 172.28.0.0/16 --gateway 172.28.5.254 n');
    await ok(cli, 'docker run -d --name c1 --network n alpine sleep 1d');
    const cfg = await ok(cli, `docker network inspect -f '{{json .IPAM.Config}} {{range .Containers}}{{.IPv4Address}}{{end}}' n`);
    assert.equal(cfg.out, '[{"Subnet":"172.28.0.0/16","Gateway":"172.28.5.254"}] 172.28.0.1/16\n');
    await ok(cli, 'docker network create --subnet 172.29.0.0/16 --ip-range 172.29.5.0/24 --gateway 172.29.5.254 --ipv6 --subnet 2001:db8:abcd::/64 n6');
    const cfg6 = await ok(cli, 'docker network inspect -f "{{json .IPAM.Config}}" n6');
    assert.equal(cfg6.out, '[{"Subnet":"172.29.0.0/16","IPRange":"172.29.5.0/24","Gateway":"172.29.5.254"},{"Subnet":"2001:db8:abcd::/64"}]\n');
  });

  it('rejects predefined and duplicate names (NET-03, NET-06)', async () => {
    const cli = newCli();
    for (const n of ['bridge', 'host', 'none', 'default']) {
      const r = await cli.run(`docker network create ${n}`);
      assert.equal(r.err, `Error response from daemon: operation is not permitted on predefined ${n} network\n`);
      assert.equal(r.code, 1);
    }
    await ok(cli, 'docker network create testnet');
    const dup = await cli.run('docker network create testnet');
    assert.equal(dup.err, 'Error response from daemon: network with name testnet already exists\n');
  });
});

describe('network inspect', () => {
  it('matches the golden JSON for bridge, host and none (NET-09)', async () => {
    const cli = newCli();
    await ok(cli, 'docker run -dit --name alpine1 alpine ash');
    const r = await ok(cli, 'docker network inspect bridge host none');
    assertGolden('network-inspect-predefined.json', r.out);
    const parsed = JSON.parse(r.out);
    assert.equal(parsed[0].IPAM.Config[0].Subnet, '172.17.0.0/16');
    assert.equal(parsed[1].IPAM.Config, null);
    assert.equal(parsed[2].Driver, 'null');
  });

  it('prints [] and the error for a missing network (NET-16), and templates with typed then raw fallback', async () => {
    const cli = newCli();
    const r = await cli.run('docker network inspect nope');
    assert.deepEqual([r.code, r.out, r.err], [1, '[]\n', 'Error response from daemon: network nope not found\n']);
    await ok(cli, 'docker network create --subnet 10.5.0.0/16 --gateway 10.5.0.254 --aux-address r=10.5.0.2 --label b=2 --label a=1 n');
    const t = async (f: string) => (await cli.run(['network', 'inspect', '-f', f, 'n']));
    assert.equal((await t('{{.IPAM.Config}}')).out, '[{10.5.0.0/16  10.5.0.254 map[r:10.5.0.2]}]\n');
    assert.equal((await t('{{json .IPAM}}')).out, '{"Driver":"default","Options":{},"Config":[{"Subnet":"10.5.0.0/16","Gateway":"10.5.0.254","AuxiliaryAddresses":{"r":"10.5.0.2"}}]}\n');
    assert.equal((await t('{{.Labels}}')).out, 'map[a:1 b:2]\n');
    assert.equal((await t('{{.ConfigFrom}}')).out, '{}\n');
    assert.match((await t('{{.Id}}')).out, /^[0-9a-f]{64}\n$/);
    assert.match((await t('{{.Created}}')).out, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\n$/);
    const bad = await t('{{.Id}} {{.ID}}');
    assert.deepEqual([bad.code, bad.out, bad.err], [1, '\n', 'template parsing error: template: :1:10: executing "" at <.ID>: map has no entry for key "ID"\n']);
    const nope = await t('{{.Nope}}');
    assert.equal(nope.err, 'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"\n');
    const unclosed = await t('{{.Name');
    assert.deepEqual([unclosed.code, unclosed.err], [64, 'template parsing error: template: :1: unclosed action\n']);
  });
});

describe('network rm, prune, connect, disconnect', () => {
  it('removes, prints arguments, and reports failures with exit status 1 (NET-04, NET-05, NET-07)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create a');
    await ok(cli, 'docker network create b');
    await ok(cli, 'docker run -d --name web --network a alpine sleep 1d');
    const r = await cli.run('docker network rm a b bridge default nope');
    assert.equal(r.code, 1);
    assert.equal(r.out, 'b\n');
    const epId = (await ok(cli, 'docker inspect -f {{.NetworkSettings.Networks.a.EndpointID}} web')).out.trim();
    assert.equal(
      r.err,
      `Error response from daemon: error while removing network: network a has active endpoints (name:"web" id:"${epId.slice(0, 12)}")\n` +
        'Error response from daemon: bridge is a pre-defined network and cannot be removed\n' +
        'Error response from daemon: network default not found\n' +
        'Error response from daemon: network nope not found\n' +
        'exit status 1\n',
    );
    const forced = await cli.run('docker network rm -f nope');
    assert.deepEqual([forced.code, forced.out, forced.err], [0, '', '']);
  });

  it('prompts before pruning, and prints Deleted Networks (NET-08)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create a');
    await ok(cli, 'docker network create busy');
    await ok(cli, 'docker run -d --name web --network a alpine sleep 1d');
    await ok(cli, 'docker run -d --name db --network busy alpine sleep 1d');
    await ok(cli, 'docker stop web');
    const prompt = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
    const no = await ok(cli, 'docker network prune', ['n']);
    assert.equal(no.out, prompt);
    const yes = await ok(cli, 'docker network prune', ['y']);
    assert.equal(yes.out, `${prompt}Deleted Networks:\na\n\n`);
    const nothing = await ok(cli, 'docker network prune -f');
    assert.equal(nothing.out, '');
    await ok(cli, 'docker network create --label keep=1 k');
    await ok(cli, 'docker network create d');
    const filtered = await ok(cli, 'docker network prune -f --filter label!=keep');
    assert.equal(filtered.out, 'Deleted Networks:\nd\n\n');
  });

  it('connects and disconnects with Docker errors (NET-11..NET-14)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create a');
    await ok(cli, 'docker run -d --name web --network a alpine sleep 1d');
    const again = await cli.run('docker network connect a web');
    assert.equal(again.err, 'Error response from daemon: endpoint with name web already exists in network a\n');
    const webId = (await ok(cli, 'docker inspect -f {{.Id}} web')).out.trim();
    const notConnected = await cli.run('docker network disconnect bridge web');
    assert.equal(notConnected.err, `Error response from daemon: container ${webId} is not connected to network bridge\n`);
    const alias = await cli.run('docker network connect --alias x bridge web');
    assert.equal(alias.err, 'Error response from daemon: network-scoped alias is supported only for containers in user defined networks\n');
    const host = await cli.run('docker network connect host web');
    assert.equal(host.err, 'Error response from daemon: cannot connect container to host network - container must be created in host network mode\n');
    const opt = await cli.run('docker network connect --driver-opt novalue bridge web');
    assert.deepEqual([opt.code, opt.err], [1, 'invalid key/value pair format in driver options\n']);
    await ok(cli, 'docker network create b');
    const ip = await cli.run('docker network connect --alias api --ip 172.19.0.50 b web');
    assert.equal(ip.err, 'Error response from daemon: user specified IP address is supported only when connecting to networks with user configured subnets\n');
    await ok(cli, 'docker network connect --alias api b web');
    const names = await ok(cli, `docker inspect -f '{{json .NetworkSettings.Networks.b.DNSNames}} {{json .NetworkSettings.Networks.b.Aliases}}' web`);
    assert.equal(names.out, `["web","api","${webId.slice(0, 12)}"] ["api"]\n`);
    await ok(cli, 'docker network disconnect a web');
    const nets = await ok(cli, `docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' web`);
    assert.equal(nets.out, 'b \n');
  });
});
