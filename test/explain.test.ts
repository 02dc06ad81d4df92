/** `crosstalk explain`: the walk-through's "what they could not work out" made obvious. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newCli, type TestCli } from './helpers.js';

async function ok(cli: TestCli, line: string) {
  const r = await cli.run(line);
  assert.equal(r.code, 0, `${line} failed: ${r.err}`);
  return r;
}

describe('crosstalk explain', () => {
  it('explains different networks, and a shared network works', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create alpine-net');
    await ok(cli, 'docker run -dit --name alpine1 --network alpine-net alpine ash');
    await ok(cli, 'docker run -dit --name alpine2 --network alpine-net alpine ash');
    await ok(cli, 'docker run -dit --name alpine3 alpine ash');
    const yes = await cli.run('crosstalk explain alpine1 alpine2');
    assert.equal(yes.code, 0);
    assert.match(yes.out, /^alpine1 → alpine2 \(ping\)\n/);
    assert.match(yes.out, /resolve alpine2 → 172\.18\.0\.3 \(embedded DNS \(127\.0\.0\.11\) answered from network alpine-net/);
    assert.match(yes.out, /\nYES: reachable/);
    const no = await cli.run('crosstalk explain alpine1 alpine3');
    assert.equal(no.code, 1);
    assert.match(no.out, /alpine3 is on bridge; alpine1 shares none of them/);
    assert.match(no.out, /NO: alpine1 cannot resolve alpine3\n/);
    assert.match(no.out, /fix: docker network connect alpine-net alpine3\n/);
    const byIp = await cli.run('crosstalk explain alpine1 172.17.0.2');
    assert.match(byIp.out, /Docker isolates different bridge networks/);
    assert.match(byIp.out, /fix: docker network connect bridge alpine1/);
  });

  it('explains ports: container port vs published port, and loopback-only servers', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create app');
    await ok(cli, 'docker run -d --name web --network app -p 8080:80 nginx');
    await ok(cli, 'docker run -d --name lo --network app busybox httpd -f -p 127.0.0.1:9000');
    await ok(cli, 'docker run -d --name client --network app alpine sleep 1d');
    const published = await cli.run('crosstalk explain client web:8080');
    assert.equal(published.code, 1);
    assert.match(published.out, /NO: connection refused/);
    assert.match(published.out, /fix: between containers use the container port: web:80/);
    assert.equal((await cli.run('crosstalk explain client web:80')).code, 0);
    const loop = await cli.run('crosstalk explain client lo:9000');
    assert.match(loop.out, /listens on 127\.0\.0\.1:9000 only \(loopback\)/);
    assert.match(loop.out, /fix: make the server in lo listen on 0\.0\.0\.0/);
    const host = await cli.run('crosstalk explain host web:80');
    assert.equal(host.code, 0);
  });

  it('explains a container that exited after its job', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create lessons');
    await ok(cli, 'docker run -d --name builder --network lessons alpine make');
    await ok(cli, 'docker run -d --name site --network lessons alpine sleep 1d');
    const r = await cli.run('crosstalk explain site builder');
    assert.equal(r.code, 1);
    assert.match(r.out, /builder exists but is exited with code 2: stopped containers have no address and their names do not resolve/);
    assert.match(r.out, /fix: docker start builder \(and see why it exited: docker logs builder\)/);
  });

  it('explains host-network containers: reached on the host\'s addresses, no names either way, and no network connect fix (Docker refuses it)', async () => {
    const cli = newCli();
    await ok(cli, 'docker network create alpine-net');
    await ok(cli, 'docker run -d --name web --network alpine-net nginx');
    await ok(cli, 'docker run -dit --name alpine1 --network alpine-net alpine ash');
    await ok(cli, 'docker run -d --name hst --network host busybox httpd -f -p 8000');
    const fromHost = await cli.run('crosstalk explain host hst:8000');
    assert.match(fromHost.out, /hst uses the host's network, so it listens on the host's own addresses: using 127\.0\.0\.1/);
    assert.match(fromHost.out, /\nYES: reachable/);
    const fromHst = await cli.run('crosstalk explain hst web:80');
    assert.match(fromHst.out, /hst uses the host's network and the host's resolver \(no embedded DNS\)/);
    assert.match(fromHst.out, /fix: from the host network, use web's address \(172\.18\.0\.2:80\) or a port it publishes on the host\n/);
    assert.doesNotMatch(fromHst.out, /network connect/);
    assert.match((await cli.run('crosstalk explain hst 172.18.0.2:80')).out, /\nYES: reachable/);
    const toHst = await cli.run('crosstalk explain alpine1 hst:8000');
    assert.match(toHst.out, /hst uses the host's network: it has no name or address on any container network/);
    assert.match(toHst.out, /fix: reach hst through the host: 172\.18\.0\.1:8000/);
    assert.doesNotMatch(toHst.out, /network connect/);
    // The fix works: the gateway is the host, where hst's server listens.
    assert.match((await cli.run('crosstalk explain alpine1 172.18.0.1:8000')).out, /hst \(host network\) listens on :::8000\nYES: reachable/);
    const connect = await cli.run('docker network connect alpine-net hst');
    assert.equal(connect.code, 1, 'why explain never suggests it');
  });
});
