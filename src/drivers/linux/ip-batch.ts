/**
 * One `ip -force -batch -` process for many link/address/route changes, where some lines may
 * fail harmlessly (deleting a veth whose container namespace already vanished, deleting a route
 * that is not there). `-force` keeps ip going after a failed line; the failed line numbers
 * (`Command failed -:N`) tell which failures are tolerated and which are real.
 */

export interface CommandRunner {
  /** Runs argv synchronously; throws on a non-zero exit (the error carries stderr). */
  run(argv: string[], input?: string): string;
}

export interface BatchLine {
  cmd: string;
  /** A failure of this line whose message matches is not an error. */
  tolerate?: RegExp;
}

/** `Cannot find device "x"`: the interface is already gone. */
export const GONE = /Cannot find device|No such device|does not exist/;
/** Route or address not there (`RTNETLINK answers: No such process`, `Cannot assign requested address`). */
export const ABSENT = /No such process|Cannot assign requested address|No such file or directory|Cannot find device|does not exist/;

export class IpBatchError extends Error {
  constructor(
    message: string,
    readonly failed: Array<{ line: number; cmd: string; message: string }>,
  ) {
    super(message);
  }
}

function stderrOf(err: unknown): string {
  const e = err as { stderr?: string | Buffer; message?: string };
  const s = e.stderr !== undefined ? String(e.stderr) : '';
  return s || String(e.message ?? err);
}

/**
 * Runs the lines with `prefix` (e.g. `['nsenter', '--net=/proc/1/ns/net']`) in front of `ip`.
 * Throws IpBatchError when a line failed that is not tolerated.
 */
export function runIpBatch(runner: CommandRunner, lines: BatchLine[], prefix: string[] = []): void {
  if (lines.length === 0) return;
  const input = `${lines.map((l) => l.cmd).join('\n')}\n`;
  try {
    runner.run([...prefix, 'ip', '-force', '-batch', '-'], input);
    return;
  } catch (err) {
    const stderr = stderrOf(err);
    const failed: Array<{ line: number; cmd: string; message: string }> = [];
    // Messages come before their "Command failed -:N" line.
    let pending: string[] = [];
    for (const raw of stderr.split('\n')) {
      const m = /Command failed -:(\d+)/.exec(raw);
      if (m) {
        const n = Number(m[1]);
        failed.push({ line: n, cmd: lines[n - 1]?.cmd ?? '?', message: pending.join(' ').trim() });
        pending = [];
      } else if (raw.trim() && !/^Command failed: /.test(raw)) {
        pending.push(raw.trim());
      }
    }
    if (failed.length === 0) throw new IpBatchError(`ip -batch failed: ${stderr.trim()}`, []);
    const real = failed.filter((f) => {
      const tol = lines[f.line - 1]?.tolerate;
      return !(tol && tol.test(f.message));
    });
    if (real.length) {
      throw new IpBatchError(`ip -batch failed: ${real.map((f) => `${f.cmd}: ${f.message}`).join('; ')}`, real);
    }
  }
}

/** The family of an address or CIDR. */
export function familyOf(cidr: string): 4 | 6 {
  return cidr.includes(':') ? 6 : 4;
}

/**
 * `addr add`: IPv4 with its broadcast address (`brd +`, as Docker's interfaces have), IPv6 with
 * `nodad` (no duplicate-address-detection delay; the engine's IPAM owns uniqueness).
 */
export function addrAdd(cidr: string, dev: string, verb: 'add' | 'replace' = 'add'): string {
  return `addr ${verb} ${cidr} dev ${dev}${familyOf(cidr) === 6 ? ' nodad' : ' brd +'}`;
}

/** The default route of a family: `default` (IPv4) or `::/0` (IPv6; batch lines take no `-6`). */
export function defaultDst(gateway: string): string {
  return familyOf(gateway) === 6 ? '::/0' : 'default';
}
