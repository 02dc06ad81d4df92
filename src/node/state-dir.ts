/** Where the CLI keeps its state: $CROSSTALK_STATE_DIR, /var/lib/crosstalk for root, else the user's state directory. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  if (env.CROSSTALK_STATE_DIR) return env.CROSSTALK_STATE_DIR;
  if (process.getuid?.() === 0) return '/var/lib/crosstalk';
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'crosstalk');
}

/** Where crosstalkd listens by default: /run/crosstalk for root, else $XDG_RUNTIME_DIR/crosstalk. */
export function defaultSocketPath(env: NodeJS.ProcessEnv): string {
  if (process.getuid?.() === 0) return '/run/crosstalk/crosstalk.sock';
  return join(env.XDG_RUNTIME_DIR || join(homedir(), '.local', 'run'), 'crosstalk', 'crosstalk.sock');
}
