/**
 * The Docker Engine API (1.24–1.50) as a transport-free handler over an EngineHost: the daemon
 * serves it on a unix socket, the CLI and a browser call it in-process. No Node imports.
 */
import { EngineError, invalidParameter } from '../core/errors.js';
import type { ApiApp, ApiRequest, ApiResponse } from './contract.js';
import { ApiCore } from './core.js';
import { bodyTooLarge, MAX_BODY_BYTES, pageNotFound, responseForError } from './errors.js';
import { Query } from './filters.js';
import { lazyBody, Router } from './router.js';
import { CONTAINER_ROUTES } from './routes/containers.js';
import { ATTACH_ROUTES } from './routes/attach.js';
import { EXEC_ROUTES } from './routes/exec.js';
import { IMAGE_ROUTES } from './routes/images.js';
import { NETWORK_ROUTES } from './routes/networks.js';
import { SYSTEM_ROUTES } from './routes/system.js';
import { CROSSTALK_ROUTES } from './routes/crosstalk.js';
import { SWARM_ROUTES } from './routes/swarm.js';
import { restartByPolicy } from './routes/restart-by-policy.js';
import { RestartScheduler } from './restarts.js';
import { shouldRestart } from '../engine/restart-policy.js';
import { utf8Length } from './stream.js';
import type { ApiAppOptions } from './types.js';
import { checkVersion, ENGINE_VERSION, splitVersion } from './version.js';

export interface CrosstalkApiApp extends ApiApp {
  /** Stops background polling and restart policies (daemon shutdown). */
  close(): void;
  /** Daemon start: starts the stopped containers whose restart policy says so (not counted as restarts). */
  startPolicyContainers(): Promise<void>;
}

export function createApiApp(opts: ApiAppOptions): CrosstalkApiApp {
  const core = new ApiCore(opts);
  if (opts.restartPolicies !== false) core.restarts = new RestartScheduler(
    (id) => restartByPolicy(core, id),
    (id, err) => core.log('warn', 'a restart by the restart policy failed', { container: id, error: err.message }),
  );
  const router = new Router().addAll([...SYSTEM_ROUTES, ...NETWORK_ROUTES, ...CONTAINER_ROUTES, ...ATTACH_ROUTES, ...EXEC_ROUTES, ...IMAGE_ROUTES, ...SWARM_ROUTES, ...CROSSTALK_ROUTES]);

  const baseHeaders = (): Record<string, string> => {
    const p = core.profile();
    return { 'Api-Version': p.apiVersion, 'Docker-Experimental': 'false', Ostype: 'linux', Server: `Docker/${p.name === 'legacy' ? p.engineVersion : ENGINE_VERSION} (linux)` };
  };

  const withHeaders = (res: ApiResponse): ApiResponse => {
    if (res.kind === 'hijack') return res;
    res.headers = { ...baseHeaders(), ...res.headers };
    return res;
  };

  async function handle(req: ApiRequest): Promise<ApiResponse> {
    try {
      const q = req.url.indexOf('?');
      const path = q < 0 ? req.url : req.url.slice(0, q);
      const search = q < 0 ? '' : req.url.slice(q + 1);
      const { version: pathVersion, rest } = splitVersion(path);
      const match = router.match(req.method.toUpperCase(), rest);
      if (!match) return withHeaders(pageNotFound());
      if (utf8Length(req.body) > MAX_BODY_BYTES) return withHeaders(bodyTooLarge());
      const max = core.profile().apiVersion;
      if (pathVersion !== undefined) checkVersion(pathVersion, max);
      const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (req.body.trim() !== '' && contentType !== '' && contentType !== 'application/json' && !isStreamRoute(rest)) {
        throw invalidParameter(`unsupported Content-Type header (${contentType}): must be 'application/json'`);
      }
      const res = await match.handler({
        core,
        req,
        params: match.params,
        query: new Query(search),
        version: pathVersion ?? max,
        body: lazyBody(req.body),
      });
      return withHeaders(res);
    } catch (err) {
      const res = responseForError(err);
      if (res.status >= 500) {
        // An engine error is a known outcome (its message says it all); anything else is a bug: keep its stack.
        const error = err instanceof EngineError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
        core.log('error', 'request failed', { method: req.method, url: req.url, error });
      }
      return withHeaders(res);
    }
  }

  const startPolicyContainers = async (): Promise<void> => {
    if (!core.restarts) return;
    const due = core.read((e) => [...e.containers.values()].filter((c) => c.status !== 'running' && c.status !== 'created' && shouldRestart(c.restartPolicy, c.exitCode, c.restartCount, c.manuallyStopped ?? false, true)).map((c) => c.id));
    for (const id of due) {
      await restartByPolicy(core, id, false).catch((err: unknown) => core.log('warn', 'starting a container by its restart policy failed', { container: id, error: (err as Error).message }));
    }
  };
  return { handle, close: () => core.close(), startPolicyContainers };
}

/** Attach carries `Content-Type: text/plain` and no JSON body. */
function isStreamRoute(path: string): boolean {
  return /\/attach$/.test(path);
}
