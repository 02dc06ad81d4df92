/** In-process API: GET /containers/{id}/logs on the simulator — follow, timestamps, since/until, tail. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiResponse } from '../../src/api/contract.js';
import { textFrames } from '../../src/api/routes/logs.js';
import { newApi, runDetached, tick, type TestApi } from './helpers.js';

/** Demultiplexes wire bytes (8-byte headers, big-endian lengths). */
function frames(bytes: Uint8Array): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  const b = Buffer.from(bytes);
  for (let i = 0; i < b.length; ) {
    const len = b.readUInt32BE(i + 4);
    out.push([b[i], b.subarray(i + 8, i + 8 + len).toString('utf8')]);
    i += 8 + len;
  }
  return out;
}

/** Streamed pieces go on the wire as UTF-8: decode them as the daemon's transport would send them. */
function wire(chunks: string[]): Array<[number, string]> {
  return frames(Buffer.from(chunks.join(''), 'utf8'));
}

/** Collects a streaming response's pieces as they come; `done` resolves when it ends. */
function collect(raw: ApiResponse): { chunks: string[]; done: Promise<void>; ended: () => boolean } {
  if (raw.kind !== 'stream') throw new Error(`expected a stream, got ${raw.kind}`);
  const chunks: string[] = [];
  let over = false;
  const done = (async () => {
    for await (const c of raw.chunks) chunks.push(c);
    over = true;
  })();
  return { chunks, done, ended: () => over };
}

async function get(api: TestApi, url: string): Promise<ApiResponse> {
  return api.app.handle({ method: 'GET', url, headers: {}, body: '' });
}

async function ncServer(api: TestApi): Promise<void> {
  await api.call('POST', '/networks/create', { Name: 'ncnet' });
  await runDetached(api, 'srv', { Image: 'alpine', Cmd: ['sh', '-c', 'echo ready; nc -l -p 7000'], HostConfig: { NetworkMode: 'ncnet' } });
  await runDetached(api, 'cli', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'ncnet' } });
}

async function sendToServer(api: TestApi, text: string): Promise<void> {
  const ex = (await api.call('POST', '/containers/cli/exec', { Cmd: ['sh', '-c', `echo ${text} | nc srv 7000`], AttachStdout: true, AttachStderr: true })).json.Id;
  const run = await api.hijack(`/exec/${ex}/start`, { Detach: false, Tty: false });
  await run.session.done;
}

test('follow: the lines so far, then new output as it is produced; the stream ends when the container exits', async () => {
  const api = newApi();
  await ncServer(api);
  const r = await get(api, '/v1.50/containers/srv/logs?stdout=1&stderr=1&follow=1');
  assert.equal(r.kind, 'stream');
  if (r.kind !== 'stream') return;
  assert.equal(r.status, 200);
  assert.equal(r.headers['Content-Type'], 'application/vnd.docker.multiplexed-stream');
  const s = collect(r);
  await tick();
  assert.deepEqual(wire(s.chunks), [[1, 'ready\n']]);
  assert.equal(s.ended(), false);
  await sendToServer(api, 'hello'); // busybox nc -l prints what it got, then exits
  await s.done;
  assert.deepEqual(wire(s.chunks), [[1, 'ready\n'], [1, 'hello\n']]);
  assert.equal((await api.call('GET', '/containers/srv/json')).json.State.Status, 'exited');
  // The plain read afterwards has the same lines.
  const after = await api.call('GET', '/containers/srv/logs?stdout=1&stderr=1');
  assert.equal(after.text, 'ready\nhello\n');
});

test('follow: a stop ends the stream; tail limits only the lines so far; timestamps=1 stamps them', async () => {
  const api = newApi();
  await runDetached(api, 'f1', { Image: 'alpine', Cmd: ['sh', '-c', 'echo a; echo b; echo c; sleep infinity'] });
  const r = await get(api, '/v1.50/containers/f1/logs?stdout=1&stderr=1&follow=1&tail=2&timestamps=1');
  const s = collect(r);
  await tick();
  const lines = wire(s.chunks);
  assert.equal(lines.length, 2);
  assert.match(lines[0][1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z b\n$/);
  assert.match(lines[1][1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z c\n$/);
  assert.equal((await api.call('POST', '/containers/f1/stop?t=0')).status, 204);
  await s.done;
  assert.equal(wire(s.chunks).length, 2);
});

test('follow: the client going away (cancel) ends the stream and the subscription', async () => {
  const api = newApi();
  await runDetached(api, 'f2', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const r = await get(api, '/containers/f2/logs?stdout=1&follow=1');
  if (r.kind !== 'stream') throw new Error('expected a stream');
  const s = collect(r);
  await tick();
  assert.equal(s.ended(), false);
  r.cancel();
  await s.done;
  assert.deepEqual(s.chunks, []);
  // The container is untouched, and stopping it later finds no stale listener.
  assert.equal((await api.call('GET', '/containers/f2/json')).json.State.Status, 'running');
  assert.equal((await api.call('POST', '/containers/f2/stop?t=0')).status, 204);
});

test('follow on a container that is not running returns the lines so far (a complete response)', async () => {
  const api = newApi();
  await runDetached(api, 'done', { Image: 'alpine', Cmd: ['sh', '-c', 'echo one; echo two'] });
  const r = await api.call('GET', '/v1.50/containers/done/logs?stdout=1&stderr=1&follow=1');
  assert.equal(r.raw.kind, 'plain');
  if (r.raw.kind !== 'plain' || !r.raw.bytes) throw new Error('expected bytes');
  assert.deepEqual(frames(r.raw.bytes), [[1, 'one\n'], [1, 'two\n']]);
});

test('follow with a TTY: raw output, no frames', async () => {
  const api = newApi();
  await runDetached(api, 't1', { Image: 'alpine', Cmd: ['sh', '-c', 'echo hi; sleep infinity'], Tty: true });
  const r = await get(api, '/v1.50/containers/t1/logs?stdout=1&stderr=1&follow=1');
  if (r.kind !== 'stream') throw new Error('expected a stream');
  assert.equal(r.headers['Content-Type'], 'application/vnd.docker.raw-stream');
  const s = collect(r);
  await tick();
  await api.call('POST', '/containers/t1/kill');
  await s.done;
  assert.equal(s.chunks.join(''), 'hi\n');
});

test('timestamps: each line starts with the container\'s StartedAt, RFC3339Nano with nine digits, and a space', async () => {
  const api = newApi();
  await runDetached(api, 'ts', { Image: 'alpine', Cmd: ['sh', '-c', 'echo one; echo two'] });
  const started = (await api.call('GET', '/containers/ts/json')).json.State.StartedAt as string;
  const r = await api.call('GET', '/v1.50/containers/ts/logs?stdout=1&stderr=1&timestamps=1');
  if (r.raw.kind !== 'plain' || !r.raw.bytes) throw new Error('expected bytes');
  const lines = frames(r.raw.bytes).map(([, t]) => t);
  assert.equal(lines.length, 2);
  for (const [i, l] of lines.entries()) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)\n$/.exec(l);
    assert.ok(m, l);
    assert.equal(Date.parse(m[1]), Date.parse(started));
    assert.equal(m[2], ['one', 'two'][i]);
  }
  assert.equal(r.raw.body, lines.join(''));
});

test('since and until: unix seconds (fractional) or RFC 3339, compared with StartedAt; invalid values are 400', async () => {
  const api = newApi();
  await runDetached(api, 'su', { Image: 'alpine', Cmd: ['sh', '-c', 'echo one; echo two'] });
  const startedMs = Date.parse((await api.call('GET', '/containers/su/json')).json.State.StartedAt);
  const secs = Math.floor(startedMs / 1000);
  const text = async (q: string) => {
    const r = await api.call('GET', `/containers/su/logs?stdout=1&stderr=1&${q}`);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
    return r.text;
  };
  assert.equal(await text(`since=${secs}`), 'one\ntwo\n');
  assert.equal(await text(`since=${secs - 1}.5`), 'one\ntwo\n');
  assert.equal(await text(`since=${secs + 1}`), '');
  assert.equal(await text(`since=${secs}.000000001`), startedMs % 1000 === 0 ? '' : 'one\ntwo\n');
  assert.equal(await text(`until=${secs - 1}`), '');
  assert.equal(await text(`until=${secs + 1}`), 'one\ntwo\n');
  assert.equal(await text('until=0'), 'one\ntwo\n');
  assert.equal(await text(`since=${encodeURIComponent(new Date(startedMs + 1000).toISOString())}`), '');
  assert.equal(await text(`since=${encodeURIComponent(new Date(startedMs - 1000).toISOString())}`), 'one\ntwo\n');
  assert.equal(await text(`tail=1&since=${secs - 10}`), 'two\n');
  for (const [q, msg] of [
    ['since=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['until=1.x', 'strconv.ParseInt: parsing "x": invalid syntax'],
    ['since=2025-13-01', 'parsing time "2025-13-01": month out of range'],
  ]) {
    const r = await api.call('GET', `/containers/su/logs?stdout=1&${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.message, msg);
  }
});

test('follow with until in the past: the lines up to it, then the response is complete', async () => {
  const api = newApi();
  await runDetached(api, 'fu', { Image: 'alpine', Cmd: ['sh', '-c', 'echo x; sleep infinity'] });
  const startedMs = Date.parse((await api.call('GET', '/containers/fu/json')).json.State.StartedAt);
  const r = await api.call('GET', `/containers/fu/logs?stdout=1&follow=1&until=${Math.floor(startedMs / 1000) - 5}`);
  assert.equal(r.raw.kind, 'plain');
  assert.equal(r.text, '');
});

test('follow with until: already past, the lines up to it (complete); ahead, the stream stops at that time', async () => {
  const api = newApi();
  await runDetached(api, 'fv', { Image: 'alpine', Cmd: ['sh', '-c', 'echo y; sleep infinity'] });
  const startedMs = Date.parse((await api.call('GET', '/containers/fv/json')).json.State.StartedAt);
  const past = await api.call('GET', `/containers/fv/logs?stdout=1&follow=1&until=${Math.floor(startedMs / 1000) + 1}`);
  assert.equal(past.raw.kind, 'plain');
  assert.equal(past.text, 'y\n');
  const nowSecs = Number(api.clock.now / 1_000_000_000n);
  const t0 = Date.now();
  const r = await get(api, `/containers/fv/logs?stdout=1&follow=1&until=${nowSecs}.2`);
  const s = collect(r);
  await s.done;
  assert.ok(Date.now() - t0 >= 150, `ended after ${Date.now() - t0} ms`);
  assert.deepEqual(wire(s.chunks), [[1, 'y\n']]);
  assert.equal((await api.call('GET', '/containers/fv/json')).json.State.Status, 'running');
});

test('streamed frames are the UTF-8 of their string: header bytes stay below 0x80, long lines split on characters', () => {
  for (const line of ['short\n', `${'ö'.repeat(150)}x\n`, `${'a'.repeat(70000)}\n`, `${'😀'.repeat(40)}\n`]) {
    const s = textFrames(2, line);
    const bytes = Buffer.from(s, 'utf8');
    const parts = frames(bytes);
    assert.ok(parts.every(([st]) => st === 2));
    assert.equal(parts.map(([, t]) => t).join(''), line);
    for (let i = 0; i < bytes.length; ) {
      for (let k = 0; k < 8; k++) assert.ok(bytes[i + k] < 0x80);
      i += 8 + bytes.readUInt32BE(i + 4);
    }
  }
});
