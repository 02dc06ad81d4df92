/**
 * Command definitions and Docker's CLI conventions (docker-engine.md §8): argument-count and
 * flag errors with usage lines, `Error response from daemon:` for engine errors, exit codes.
 */
import { EngineError } from '../core/errors.js';
import { FlagError, parseArgs, type FlagSpec, type ParsedArgs } from './args.js';
import { DaemonError, type ApiClient } from './client/api-client.js';
import type { EngineHost } from './engine-host.js';
import { HELP_TEXTS } from './help-texts.js';
import type { Io } from './io.js';

export interface CommandContext {
  io: Io;
  /** The Docker Engine API: a daemon's socket, or the embedded engine in this process. */
  api: ApiClient;
  /** The embedded engine's store, when there is no daemon (crosstalk's own commands use it). */
  host: EngineHost;
  /** True when `api` is a daemon's socket. */
  daemon: boolean;
  /** "Now" for relative times (`Up 5 seconds`): the engine's clock when embedded. */
  now(): bigint;
  env: Record<string, string | undefined>;
  /** `crosstalk tutorial` on the real data plane (Node only); absent: the simulation. */
  realTutorial?: (fallback: () => Promise<number>) => Promise<number>;
}

export type ArgsRule = { exact: number } | { min: number } | { none: true } | { range: [number, number] };

export interface CommandSpec {
  /** `docker network create` */
  path: string;
  /** Usage line without the `Usage:  ` prefix. */
  use: string;
  short: string;
  aliases?: string[];
  flags: FlagSpec[];
  /** false for run/exec/create: flags end at the first positional. */
  interspersed?: boolean;
  args: ArgsRule;
  /** Exit code used for engine errors (125 for run/create). */
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}

/** A failure already reported to the user; carries the exit code. */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Client-side validation failure: the message alone on stderr, exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

export function usageBlock(spec: CommandSpec): string {
  return `Usage:  ${spec.use}`;
}

function argCountError(spec: CommandSpec, n: number): string | undefined {
  const rule = spec.args;
  const name = spec.path;
  if ('none' in rule && n > 0) return `docker: '${name}' accepts no arguments\n\n${usageBlock(spec)}\n\nRun '${name} --help' for more information\n`;
  if ('exact' in rule && n !== rule.exact) {
    return `docker: '${name}' requires ${rule.exact} argument${rule.exact === 1 ? '' : 's'}\n\n${usageBlock(spec)}\n\nRun '${name} --help' for more information\n`;
  }
  if ('min' in rule && n < rule.min) {
    return `docker: '${name}' requires at least ${rule.min} argument${rule.min === 1 ? '' : 's'}\n\n${usageBlock(spec)}\n\nSee '${name} --help' for more information\n`;
  }
  if ('range' in rule && (n < rule.range[0] || n > rule.range[1])) {
    return `docker: '${name}' requires at least ${rule.range[0]} and at most ${rule.range[1]} arguments\n\n${usageBlock(spec)}\n\nSee '${name} --help' for more information\n`;
  }
  return undefined;
}

export function helpText(spec: CommandSpec): string {
  const known = HELP_TEXTS[spec.path];
  if (known) return known;
  const lines = [`Usage:  ${spec.use}`, '', spec.short, ''];
  if (spec.aliases?.length) lines.push('Aliases:', `  ${[spec.path, ...spec.aliases].join(', ')}`, '');
  const visible = spec.flags.filter((f) => !f.hidden);
  if (visible.length) {
    lines.push('Options:');
    const heads = visible.map((f) => {
      const type = f.kind === 'bool' ? '' : f.kind === 'list' ? ' list' : f.kind === 'int' ? ' int' : ' string';
      return `  ${f.short ? `-${f.short}, ` : '    '}--${f.name}${type}`;
    });
    const width = Math.max(...heads.map((h) => h.length)) + 3;
    visible.forEach((f, i) => lines.push(f.description ? `${heads[i].padEnd(width)}${f.description}` : heads[i]));
  }
  return lines.join('\n') + '\n';
}

export async function runCommand(spec: CommandSpec, ctx: CommandContext, argv: string[]): Promise<number> {
  if (argv.includes('--help') && !(spec.interspersed === false && argv.indexOf('--help') > firstPositional(argv))) {
    ctx.io.stdout(helpText(spec));
    return 0;
  }
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv, spec.flags, { interspersed: spec.interspersed !== false });
  } catch (err) {
    if (err instanceof FlagError) {
      ctx.io.stderr(`${err.message}\n\n${usageBlock(spec)}\n\nRun '${spec.path} --help' for more information\n`);
      return 125;
    }
    throw err;
  }
  const countErr = argCountError(spec, parsed.positionals.length);
  if (countErr) {
    ctx.io.stderr(countErr);
    return 1;
  }
  try {
    return await spec.run(ctx, parsed);
  } catch (err) {
    return reportError(ctx, err, spec);
  }
}

function firstPositional(argv: string[]): number {
  const i = argv.findIndex((a) => !a.startsWith('-'));
  return i < 0 ? argv.length : i;
}

export function reportError(ctx: CommandContext, err: unknown, spec?: CommandSpec): number {
  if (err instanceof ExitError) return err.code;
  if (err instanceof CliError) {
    ctx.io.stderr(`${err.message}\n`);
    return err.code;
  }
  if (err instanceof EngineError || err instanceof DaemonError) {
    ctx.io.stderr(`Error response from daemon: ${err.message.trim()}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  ctx.io.stderr(`crosstalk: ${message}\n`);
  return 1;
}
