/**
 * Simulator fix found by the driver (sim vs the real plane): busybox `nc -ll -p PORT -e PROG` is a
 * persistent server (busybox counts -l; -ll is -lk), and a client of `-e echo TEXT` prints TEXT.
 * Before, the simulator served one connection, printed nothing, and stopped the container.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { newCli } from '../helpers.js';

it('busybox nc -ll -e echo ok serves every connection and the client prints ok; -l serves one', async () => {
  const cli = newCli();
  const ok = async (line: string) => {
    const r = await cli.run(line);
    assert.equal(r.code, 0, `${line}: ${r.err}`);
    return r.out;
  };
  await ok('docker network create n');
  await ok('docker run -d --name srv --network n busybox nc -ll -p 8080 -e echo ok');
  await ok('docker run -d --name once --network n busybox nc -l -p 8080 -e echo hi there');
  await ok('docker run -d --name cl --network n busybox sleep 1d');
  for (let i = 0; i < 3; i++) assert.equal(await ok('docker exec cl nc -w 1 srv 8080'), 'ok\n');
  assert.equal(await ok('docker exec cl nc -z srv 8080'), '', '-z reads nothing');
  assert.equal(await ok('docker exec cl nc -w 1 once 8080'), 'hi there\n');
  const states = await ok('docker ps -a --format "{{.Names}} {{.State}}"');
  assert.match(states, /^srv running$/m);
  assert.match(states, /^once exited$/m, 'a single -l serves one connection');
});
