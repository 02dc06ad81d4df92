/** Shared pieces of the sandboxed integration tests. */
import { execFileSync } from 'node:child_process';
import { Sandbox, sandboxSupported } from '../../src/platform/linux/sandbox.js';

export function hasBinary(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why these tests cannot run here (false when they can). */
export function skipReason(binaries: string[]): string | false {
  const support = sandboxSupported();
  if (!support.ok) return support.why ?? 'unsupported';
  const missing = binaries.find((b) => !hasBinary(b));
  return missing ? `${missing} is missing` : false;
}

/** Link names in the machine's own namespace (read only). */
export function hostLinks(): string[] {
  return (JSON.parse(execFileSync('ip', ['-json', 'link'], { encoding: 'utf8' })) as Array<{ ifname: string }>).map((l) => l.ifname);
}

/** One busybox ping from inside a namespace; true when answered. */
export function ping(from: Sandbox, to: string): boolean {
  try {
    from.exec(['busybox', 'ping', '-c', '1', '-W', '1', to]);
    return true;
  } catch {
    return false;
  }
}
