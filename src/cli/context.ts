/**
 * Builds the CLI's command context: the Engine API of a running daemon, or the embedded engine
 * served in-process by the same API app (so output is identical either way).
 */
import { createApiApp } from '../api/app.js';
import { ApiClient, InProcessTransport, type ApiTransport } from './client/api-client.js';
import type { CommandContext } from './command.js';
import type { EngineHost } from './engine-host.js';
import type { Io } from './io.js';

export function createContext(io: Io, host: EngineHost, env: Record<string, string | undefined>, daemon?: ApiTransport): CommandContext {
  if (daemon) {
    return { io, host, env, api: new ApiClient(daemon), daemon: true, now: () => BigInt(Date.now()) * 1_000_000n };
  }
  // The embedded engine's clock (simulated and deterministic under CROSSTALK_SEED).
  const now = () => host.read((engine) => engine.deps.clock.nowNanos());
  const app = createApiApp({ host, now, restartPolicies: false });
  return {
    io,
    host,
    env,
    api: new ApiClient(new InProcessTransport(app)),
    daemon: false,
    now,
  };
}
