import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findDaemon } from './find-daemon.js';

test('the default socket is used only when no state of the caller\'s is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-find-'));
  const socket = join(dir, 'crosstalk.sock');
  const server = createServer((req, res) => res.writeHead(req.url === '/_ping' ? 200 : 404).end());
  await new Promise<void>((r) => server.listen(socket, r));
  try {
    assert.equal((await findDaemon({}, socket))?.description, `unix://${socket}`, 'a daemon answering on the default socket is used');
    assert.equal(await findDaemon({ CROSSTALK_STATE_DIR: join(dir, 'state') }, socket), undefined, 'CROSSTALK_STATE_DIR: the embedded engine on that state');
    assert.equal(await findDaemon({ CROSSTALK_SEED: '1' }, socket), undefined, 'CROSSTALK_SEED: deterministic embedded mode');
    assert.notEqual(await findDaemon({ CROSSTALK_STATE_DIR: join(dir, 'state'), CROSSTALK_HOST: `unix://${socket}` }, socket), undefined, 'an explicit host still wins');
    assert.equal(await findDaemon({}, join(dir, 'nothing.sock')), undefined, 'no socket, no daemon');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
