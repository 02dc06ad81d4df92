/** In-process API: attach and exec sessions (HijackSession), images, volume/plugin fallbacks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newApi, runDetached, type Session } from './helpers.js';

const state = async (api: ReturnType<typeof newApi>, ref: string) => (await api.call('GET', `/containers/${ref}/json`)).json.State;

test('attach to a -it shell: prompt, echo, output with pty line endings; detach keys leave it running', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'an' });
  await runDetached(api, 'a1', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true, HostConfig: { NetworkMode: 'an' } });
  await runDetached(api, 'a2', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true, HostConfig: { NetworkMode: 'an' } });
  const s = await api.hijack('/v1.50/containers/a1/attach?stderr=1&stdin=1&stdout=1&stream=1');
  assert.equal(s.contentType, 'application/vnd.docker.raw-stream');
  assert.equal(s.multiplexed, false);
  assert.equal(s.text(), '/ # ');
  // A raw terminal sends keystrokes and \r for Enter.
  for (const ch of 'hostnamX') s.session.input(ch);
  s.session.input('\x7fe\r');
  const id = (await api.call('GET', '/containers/a1/json')).json.Id as string;
  assert.equal(s.text(), `/ # hostnamX\b \be\r\n${id.slice(0, 12)}\r\n/ # `);
  s.session.input('ping -c 1 a2\n');
  assert.match(s.text(), /PING a2 \(172\.18\.0\.3\): 56 data bytes\r\n64 bytes from 172\.18\.0\.3/);
  s.session.input('\x10\x11');
  await s.session.done;
  assert.equal((await state(api, 'a1')).Running, true);
});

test('attach: end of input ends the shell; the container exits and a wait returns', async () => {
  const api = newApi();
  const id = await runDetached(api, 'eof', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true });
  const wait = await api.app.handle({ method: 'POST', url: `/containers/${id}/wait`, headers: {}, body: '' });
  const s = await api.hijack(`/containers/${id}/attach?stdin=1&stdout=1&stderr=1&stream=1`);
  s.session.input('echo bye\n');
  s.session.close();
  await s.session.done;
  assert.equal(s.text(), '/ # echo bye\r\nbye\r\n/ # ');
  const st = await state(api, 'eof');
  assert.equal(st.Running, false);
  assert.equal(st.ExitCode, 0);
  if (wait.kind !== 'stream') throw new Error('expected a stream');
  let text = '';
  for await (const c of wait.chunks) text += c;
  assert.equal(text, '{"StatusCode":0}\n');
});

test('attach: exit N ends the container with N; a disconnect leaves it running', async () => {
  const api = newApi();
  await runDetached(api, 'ex', { Image: 'alpine', Cmd: ['ash'], Tty: true, OpenStdin: true });
  const gone = await api.hijack('/containers/ex/attach?stdin=1&stdout=1&stream=1');
  gone.session.disconnect();
  await gone.session.done;
  assert.equal((await state(api, 'ex')).Running, true);
  const s = await api.hijack('/containers/ex/attach?stdin=1&stdout=1&stream=1');
  s.session.input('exit 5\r');
  await s.session.done;
  assert.equal((await state(api, 'ex')).ExitCode, 5);
});

test('docker run -it order: attach and wait before start; the prompt appears at start; queued input runs', async () => {
  const api = newApi();
  const id = (await api.call('POST', '/containers/create', { Image: 'alpine', Cmd: ['sh'], Tty: true, OpenStdin: true, StdinOnce: true, AttachStdin: true, HostConfig: { AutoRemove: true } })).json.Id;
  const s = await api.hijack(`/containers/${id}/attach?stderr=1&stdin=1&stdout=1&stream=1`);
  s.session.input('echo early\r');
  assert.equal(s.text(), '');
  await api.call('POST', `/containers/${id}/start`);
  assert.equal(s.text(), '/ # echo early\r\nearly\r\n/ # ');
  s.session.input('\x04');
  await s.session.done;
  assert.equal((await api.call('GET', `/containers/${id}/json`)).status, 404);
});

test('attach to a one-shot before start: its output, multiplexed without a TTY; logs=1 replays', async () => {
  const api = newApi();
  const id = (await api.call('POST', '/containers/create', { Image: 'alpine', Cmd: ['sh', '-c', 'echo out; echo err >&2'] })).json.Id;
  const s = await api.hijack(`/v1.50/containers/${id}/attach?stderr=1&stdout=1&stream=1`);
  assert.equal(s.contentType, 'application/vnd.docker.multiplexed-stream');
  assert.equal(s.multiplexed, true);
  await api.call('POST', `/containers/${id}/start`);
  await s.session.done;
  assert.deepEqual(s.out, [[1, 'out\n'], [2, 'err\n']]);
  const replay = await api.hijack(`/containers/${id}/attach?logs=1&stdout=1&stderr=1`);
  await replay.session.done;
  assert.equal(replay.text(), 'out\nerr\n');
  const onlyOut = await api.hijack(`/containers/${id}/attach?logs=1&stdout=1&stream=1`);
  await onlyOut.session.done;
  assert.equal(onlyOut.text(), 'out\nerr\n'); // the simulator keeps one merged log, reported as stdout
  const old = await api.hijack(`/v1.41/containers/${id}/attach?stdout=1`);
  assert.equal(old.contentType, 'application/vnd.docker.raw-stream');
  const missing = await api.call('POST', '/containers/nope/attach?stream=1');
  assert.equal(missing.status, 404);
  const badKeys = await api.call('POST', `/containers/${id}/attach?stream=1&detachKeys=ctrl-1`);
  assert.equal(badKeys.status, 400);
  assert.equal(badKeys.json.message, 'Invalid detach keys (ctrl-1) provided');
});

test('attach: output another container causes (an nc -l server receiving) reaches its attached clients', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'ncnet' });
  await runDetached(api, 'srv', { Image: 'alpine', Cmd: ['nc', '-l', '-p', '7000'], HostConfig: { NetworkMode: 'ncnet' } });
  await runDetached(api, 'cli', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'ncnet' } });
  const watch = await api.hijack('/containers/srv/attach?stdout=1&stderr=1&stream=1');
  const ex = (await api.call('POST', '/containers/cli/exec', { Cmd: ['sh', '-c', 'echo hello | nc srv 7000'], AttachStdout: true, AttachStderr: true })).json.Id;
  const run = await api.hijack(`/exec/${ex}/start`, { Detach: false, Tty: false });
  await run.session.done;
  await watch.session.done; // busybox nc -l exits after one connection
  assert.equal(watch.text(), 'hello\n');
  assert.equal((await state(api, 'srv')).Status, 'exited');
});

async function exec(api: ReturnType<typeof newApi>, ref: string, body: Record<string, unknown>, start: Record<string, unknown> = { Detach: false, Tty: false }): Promise<{ id: string; s: Session }> {
  const c = await api.call('POST', `/v1.50/containers/${ref}/exec`, { User: '', Privileged: false, Tty: false, AttachStdin: false, AttachStderr: true, AttachStdout: true, Detach: false, DetachKeys: '', Env: null, WorkingDir: '', ...body });
  assert.equal(c.status, 201, c.text);
  assert.deepEqual(Object.keys(c.json), ['Id']);
  return { id: c.json.Id, s: await api.hijack(`/v1.50/exec/${c.json.Id}/start`, start) };
}

test('exec: create 201, start hijacked, ExitCode in GET /exec/{id}/json; stderr on stream 2', async () => {
  const api = newApi();
  const cid = await runDetached(api, 'x1', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const { id, s } = await exec(api, 'x1', { Cmd: ['hostname'] });
  assert.equal(s.contentType, 'application/vnd.docker.multiplexed-stream');
  await s.session.done;
  assert.deepEqual(s.out, [[1, `${cid.slice(0, 12)}\n`]]);
  const info = (await api.call('GET', `/exec/${id}/json`)).json;
  assert.deepEqual(info, {
    ID: id,
    Running: false,
    ExitCode: 0,
    ProcessConfig: { tty: false, entrypoint: 'hostname', arguments: [], privileged: false },
    OpenStdin: false,
    OpenStderr: true,
    OpenStdout: true,
    CanRemove: false,
    ContainerID: cid,
    DetachKeys: '',
    Pid: info.Pid,
  });
  const bad = await exec(api, 'x1', { Cmd: ['ping', '-c', '1', 'nowhere'] });
  await bad.s.session.done;
  assert.deepEqual(bad.s.out, [[2, "ping: bad address 'nowhere'\n"]]);
  assert.equal((await api.call('GET', `/exec/${bad.id}/json`)).json.ExitCode, 1);
  const missing = await exec(api, 'x1', { Cmd: ['nosuch'] });
  await missing.s.session.done;
  // moby writes a failed exec's error to the exec's stdout, with "\r\n" (postContainerExecStart).
  assert.deepEqual(missing.s.out, [[1, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in $PATH: unknown\r\n']]);
  assert.equal((await api.call('GET', `/exec/${missing.id}/json`)).json.ExitCode, 126);
  // `-u` is resolved in the image's passwd first: an unknown user fails before the program is looked up.
  const ghost = await exec(api, 'x1', { Cmd: ['nosuch'], User: 'ghost' });
  await ghost.s.session.done;
  assert.deepEqual(ghost.s.out, [[1, 'unable to find user ghost: no matching entries in passwd file\r\n']]);
  assert.equal((await api.call('GET', `/exec/${ghost.id}/json`)).json.ExitCode, 126);
  const ghostShell = await exec(api, 'x1', { Cmd: ['sh'], User: 'ghost', AttachStdin: true, Tty: true }, { Detach: false, Tty: true });
  await ghostShell.s.session.done;
  assert.equal(ghostShell.s.text(), 'unable to find user ghost: no matching entries in passwd file\r\n');
  assert.equal((await api.call('GET', `/exec/${ghostShell.id}/json`)).json.ExitCode, 126);
  const asDaemon = await exec(api, 'x1', { Cmd: ['whoami'], User: 'daemon' });
  await asDaemon.s.session.done;
  assert.deepEqual(asDaemon.s.out, [[1, 'daemon\n']], 'exec -u overrides the container\'s user');
  const twice = await api.call('POST', `/exec/${id}/start`, { Detach: false, Tty: false });
  assert.equal(twice.status, 409);
  assert.equal(twice.json.message, `Error: Exec command ${id} has already run`);
  assert.deepEqual((await api.call('GET', '/containers/x1/json')).json.ExecIDs, null);
});

test('exec: a TTY merges streams with pty line endings; -i feeds stdin to commands that read it', async () => {
  const api = newApi();
  await runDetached(api, 'x2', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const tty = await exec(api, 'x2', { Cmd: ['sh', '-c', 'echo a; echo b >&2'], Tty: true }, { Detach: false, Tty: true, ConsoleSize: [24, 80] });
  assert.equal(tty.s.contentType, 'application/vnd.docker.raw-stream');
  await tty.s.session.done;
  assert.equal(tty.s.text(), 'a\r\nb\r\n');
  const cat = await exec(api, 'x2', { Cmd: ['cat'], AttachStdin: true });
  cat.s.session.input('line 1\nline 2\n');
  cat.s.session.close();
  await cat.s.session.done;
  assert.deepEqual(cat.s.out, [[1, 'line 1\nline 2\n']]);
});

test('exec: an interactive shell runs line by line and ends with exit or end of input', async () => {
  const api = newApi();
  await runDetached(api, 'x3', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const it = await exec(api, 'x3', { Cmd: ['sh'], AttachStdin: true, Tty: true });
  assert.equal(it.s.text(), '/ # ');
  it.s.session.input('nosuchcmd\r');
  it.s.session.input('exit 7\r');
  await it.s.session.done;
  assert.equal(it.s.text(), '/ # nosuchcmd\r\nsh: nosuchcmd: not found\r\n/ # exit 7\r\n');
  assert.equal((await api.call('GET', `/exec/${it.id}/json`)).json.ExitCode, 7);
  const piped = await exec(api, 'x3', { Cmd: ['sh'], AttachStdin: true });
  piped.s.session.input('echo one\necho two\n');
  piped.s.session.close();
  await piped.s.session.done;
  assert.deepEqual(piped.s.out, [[1, 'one\n'], [1, 'two\n']]);
  assert.equal((await api.call('GET', `/exec/${piped.id}/json`)).json.ExitCode, 0);
  assert.equal((await state(api, 'x3')).Running, true);
});

test('exec: detached start is 200 and runs to completion; errors for stopped containers and unknown IDs', async () => {
  const api = newApi();
  await api.call('POST', '/networks/create', { Name: 'dn' });
  await runDetached(api, 'srv', { Image: 'alpine', Cmd: ['nc', '-l', '-p', '80'], HostConfig: { NetworkMode: 'dn' } });
  await runDetached(api, 'x4', { Image: 'alpine', Cmd: ['sleep', 'infinity'], HostConfig: { NetworkMode: 'dn' } });
  const c = await api.call('POST', '/containers/x4/exec', { Cmd: ['nc', '-z', 'srv', '80'] });
  const r = await api.call('POST', `/exec/${c.json.Id}/start`, { Detach: true, Tty: false });
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
  assert.equal((await api.call('GET', `/exec/${c.json.Id}/json`)).json.ExitCode, 0);
  assert.equal((await state(api, 'srv')).Running, false); // its side effect: the nc -l server exited
  const stopped = await api.call('POST', '/containers/srv/exec', { Cmd: ['true'] });
  assert.equal(stopped.status, 409);
  assert.equal(stopped.json.message, `container ${(await api.call('GET', '/containers/srv/json')).json.Id} is not running`);
  assert.equal((await api.call('POST', '/containers/x4/exec', { Cmd: [] })).json.message, 'No exec command specified');
  const unknown = await api.call('GET', '/exec/deadbeef/json');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.message, 'No such exec instance: deadbeef');
  assert.equal((await api.call('POST', '/exec/deadbeef/start', { Detach: false })).status, 404);
  assert.equal((await api.call('POST', `/exec/${c.json.Id}/resize?h=10&w=20`)).status, 200);
  assert.equal((await api.call('POST', '/exec/deadbeef/resize?h=10&w=20')).status, 404);
});

test('exec: a running instance is listed in ExecIDs; a detached session keeps it running', async () => {
  const api = newApi();
  await runDetached(api, 'x5', { Image: 'alpine', Cmd: ['sleep', 'infinity'] });
  const it = await exec(api, 'x5', { Cmd: ['sh'], AttachStdin: true, Tty: true });
  assert.deepEqual((await api.call('GET', '/containers/x5/json')).json.ExecIDs, [it.id]);
  it.s.session.input('\x10\x11');
  await it.s.session.done;
  assert.equal((await api.call('GET', `/exec/${it.id}/json`)).json.Running, true);
});

test('images: inspect and list the simulated catalogue; pull is honest', async () => {
  const api = newApi();
  const img = await api.call('GET', '/v1.50/images/alpine/json');
  assert.equal(img.status, 200);
  assert.match(img.json.Id, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(img.json.RepoTags, ['alpine:latest', 'alpine:3', 'alpine:3.20', 'alpine:3.21', 'alpine:3.22']);
  assert.deepEqual(img.json.Config.Cmd, ['/bin/sh']);
  assert.equal(img.json.Os, 'linux');
  for (const ref of ['alpine:3.20', 'docker.io/library/alpine', img.json.Id, img.json.Id.slice(7, 19)]) {
    assert.equal((await api.call('GET', `/images/${ref}/json`)).json.Id, img.json.Id, ref);
  }
  assert.deepEqual((await api.call('GET', '/images/nginx/json')).json.Config.ExposedPorts, { '80/tcp': {} });
  const missing = await api.call('GET', '/images/nope/json');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'No such image: nope:latest');
  const list = (await api.call('GET', '/images/json')).json;
  assert.equal(list.length, 7);
  assert.deepEqual(Object.keys(list[0]), ['Containers', 'Created', 'Id', 'Labels', 'ParentId', 'RepoDigests', 'RepoTags', 'SharedSize', 'Size']);
  const filtered = (await api.call('GET', `/images/json?filters=${encodeURIComponent('{"reference":["redis:7*"]}')}`)).json;
  assert.deepEqual(filtered.map((i: { RepoTags: string[] }) => i.RepoTags[0]), ['redis:latest']);
  const pull = await api.call('POST', '/images/create?fromImage=docker.io%2Flibrary%2Falpine&tag=latest');
  assert.equal(pull.status, 200);
  assert.deepEqual(pull.text.trim().split('\n').map((l) => JSON.parse(l).status).at(-1), 'Status: Image is up to date for alpine:latest');
  const denied = await api.call('POST', '/images/create?fromImage=docker.io%2Flibrary%2Fnope&tag=latest');
  assert.equal(denied.status, 404);
  assert.match(denied.json.message, /^pull access denied for nope: crosstalk's simulated data plane has no registry; the images it simulates are: alpine \(latest, 3, /);
  const rmi = await api.call('DELETE', '/images/alpine');
  assert.equal(rmi.status, 409);
  assert.equal(rmi.json.message, 'crosstalk: alpine is a built-in image (simulated) and cannot be removed');
  assert.equal((await api.call('DELETE', '/images/nope')).json.message, 'No such image: nope:latest');
  assert.deepEqual((await api.call('POST', '/images/prune')).json, { ImagesDeleted: null, SpaceReclaimed: 0 });
  assert.equal((await api.call('GET', '/images/json')).json.length, 7, 'nothing removed');
});

test('docker inspect fallbacks: volumes and plugins are 404', async () => {
  const api = newApi();
  const v = await api.call('GET', '/v1.50/volumes/web');
  assert.equal(v.status, 404);
  assert.equal(v.json.message, 'get web: no such volume');
  const p = await api.call('GET', '/v1.50/plugins/web/json');
  assert.equal(p.status, 404);
  assert.equal(p.json.message, 'plugin "web" not found');
  assert.deepEqual((await api.call('GET', '/volumes')).json, { Volumes: [], Warnings: null });
});

test('docker run -i with a stdin reader as main process: it runs on its input at EOF, then exits', async () => {
  const api = newApi();
  const id = (await api.call('POST', '/containers/create', { Image: 'alpine', Cmd: ['cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true })).json.Id;
  const s = await api.hijack(`/containers/${id}/attach?stderr=1&stdin=1&stdout=1&stream=1`);
  s.session.input('first\nsecond');
  s.session.close();
  await api.call('POST', `/containers/${id}/start`);
  await s.session.done;
  assert.deepEqual(s.out, [[1, 'first\nsecond']]);
  const st = await state(api, id);
  assert.equal(st.Status, 'exited');
  assert.equal(st.ExitCode, 0);
});
