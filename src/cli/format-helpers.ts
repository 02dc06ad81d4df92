/**
 * Shared output plumbing: `--filter key=value` flags, and Docker's inspect printing (indented
 * JSON array, `json`, or a template run against the typed object first and the raw JSON second).
 */
import { executeTemplate, GoStruct, goTyped, parseJsonUseNumber, parseTemplate, TemplateError } from '../format/index.js';
import { DaemonError } from './client/api-client.js';
import { CliError, type CommandContext } from './command.js';

export function parseFilterFlags(values: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) throw new CliError(`invalid argument "${v}" for "-f, --filter" flag: bad format of filter (expected name=value)`, 125);
    let key = v.slice(0, eq).trim().toLowerCase();
    const value = v.slice(eq + 1).trim();
    // `label!=x` arrives as key `label!`
    if (key.endsWith('!')) key = `${key.slice(0, -1)}!`;
    (out[key] ??= []).push(value);
  }
  return out;
}

/** Go's json.MarshalIndent-equivalent for inspect output (4-space indent). */
export function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

/**
 * Prints inspect results like docker's inspector: no format → indented array; `json` → compact
 * array; template → one line per object. Returns 1 when a template failed.
 */
export function inspectWithTemplate(ctx: CommandContext, format: string, raws: Array<Record<string, unknown>>, typed: (raw: Record<string, unknown>) => unknown): number {
  if (format === '') {
    ctx.io.stdout(`${raws.length ? indentJson(raws) : '[]'}\n`);
    return 0;
  }
  if (format === 'json') {
    ctx.io.stdout(`${JSON.stringify(raws)}\n`);
    return 0;
  }
  const source = format;
  let tmpl;
  try {
    tmpl = parseTemplate(source);
  } catch (err) {
    if (err instanceof TemplateError) {
      ctx.io.stderr(`template parsing error: ${err.message}\n`);
      return 64;
    }
    throw err;
  }
  let out = '';
  for (const raw of raws) {
    try {
      out += `${executeTemplate(tmpl, typed(raw))}\n`;
    } catch (typedErr) {
      if (!(typedErr instanceof TemplateError)) throw typedErr;
      try {
        out += `${executeTemplate(tmpl, parseJsonUseNumber(JSON.stringify(raw)), { missingKey: 'error' })}\n`;
      } catch (rawErr) {
        if (!(rawErr instanceof TemplateError)) throw rawErr;
        ctx.io.stdout(out === '' ? '\n' : out);
        ctx.io.stderr(`template parsing error: ${rawErr.message}\n`);
        return 1;
      }
    }
  }
  ctx.io.stdout(out === '' ? '\n' : out);
  return 0;
}

/**
 * docker's inspect commands: one request per reference; objects are printed first, then one
 * stderr line per reference that failed; exit 1 if any failed (64 for a bad template).
 */
export async function inspectCommand(
  ctx: CommandContext,
  refs: string[],
  format: string,
  lookup: (ref: string) => Promise<string>,
  typed: (raw: Record<string, unknown>) => unknown,
  failureLine: (ref: string, err: DaemonError) => string = (_ref, err) => `Error response from daemon: ${err.message.trim()}`,
): Promise<number> {
  const found: Array<Record<string, unknown>> = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      found.push(JSON.parse(await lookup(ref)) as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof DaemonError)) throw err;
      errors.push(failureLine(ref, err));
    }
  }
  const status = inspectWithTemplate(ctx, format, found, typed);
  for (const e of errors) ctx.io.stderr(`${e}\n`);
  return status || (errors.length ? 1 : 0);
}

/** `?filters=` as the docker CLI encodes it: `{"key":{"value":true}}`, keys sorted; none → no parameter. */
export function filtersQuery(filters: Record<string, string[]>): Record<string, string | undefined> {
  const keys = Object.keys(filters).sort();
  if (!keys.length) return {};
  const obj: Record<string, Record<string, boolean>> = {};
  for (const k of keys) obj[k] = Object.fromEntries(filters[k].map((v) => [v, true]));
  return { filters: JSON.stringify(obj) };
}

/** JSON keys whose values are Go maps in Docker's types (everything else object-shaped is a struct). */
const GO_MAP_KEYS = new Set([
  'Labels', 'Options', 'Networks', 'Ports', 'ExposedPorts', 'Volumes', 'PortBindings', 'Config.LogConfig', 'DriverOpts',
  'Containers', 'AuxiliaryAddresses', 'Sysctls', 'StorageOpt', 'Tmpfs', 'Data',
]);

const STRING_MAP_KEYS = new Set(['Labels', 'Options', 'DriverOpts', 'AuxiliaryAddresses', 'Sysctls', 'StorageOpt', 'Tmpfs', 'Data']);

/**
 * The typed view docker's templates see first: JSON objects become Go structs with fields in
 * declaration order (so `{{json .NetworkSettings}}` keeps Docker's order), maps stay maps, and
 * the top-level `Id` is the Go field `ID`.
 */
export function typedView(raw: unknown, key = '', typeName = '*container.InspectResponse'): unknown {
  if (Array.isArray(raw)) return raw.map((v) => typedView(v));
  if (raw === null || typeof raw !== 'object') return raw;
  const obj = raw as Record<string, unknown>;
  if (STRING_MAP_KEYS.has(key)) return goTyped({ ...(obj as Record<string, string>) }, 'map[string]string');
  if (GO_MAP_KEYS.has(key)) return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, typedView(v)]));
  return new GoStruct(
    typeName,
    Object.entries(obj).map(([k, v]): [string, unknown] | [string, unknown, string] => (k === 'Id' ? ['ID', v, 'Id'] : [k, typedView(v, k, k)])),
  );
}

export { CliError };
