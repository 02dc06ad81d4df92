/**
 * A small pflag-compatible argument parser: the docker CLI's flag syntax and error texts
 * (`--flag=v`, `--flag v`, `-abc` clusters, `-o v`, `-ov`, `-o=v`, `--`), repeatable list and
 * map flags, and optional stop at the first positional (`run`, `exec`, `create`).
 */
export type FlagKind = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  /** For `list`: split each value on commas (pflag `StringSlice`) vs keep as is (`StringArray`/opts.List). */
  commaSplit?: boolean;
  /** Shown in help; `hidden` flags are accepted but not listed. */
  hidden?: boolean;
  /** One line of help (crosstalk's own commands; docker commands use Docker's verbatim help). */
  description?: string;
}

export interface ParsedArgs {
  flags: Map<string, unknown>;
  positionals: string[];
  /** Names of flags that were given explicitly. */
  given: Set<string>;
}

export class FlagError extends Error {}

export function parseArgs(argv: string[], specs: FlagSpec[], opts: { interspersed: boolean }): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags = new Map<string, unknown>();
  const given = new Set<string>();
  const positionals: string[] = [];
  for (const s of specs) flags.set(s.name, s.kind === 'bool' ? false : s.kind === 'list' ? [] : s.kind === 'int' ? 0 : '');

  const set = (spec: FlagSpec, value: string, display: string) => {
    given.add(spec.name);
    switch (spec.kind) {
      case 'bool': {
        const b = parseBool(value);
        if (b === undefined) throw new FlagError(`invalid argument "${value}" for "${display}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
        flags.set(spec.name, b);
        break;
      }
      case 'int': {
        if (!/^[+-]?\d+$/.test(value)) throw new FlagError(`invalid argument "${value}" for "${display}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
        flags.set(spec.name, Number(value));
        break;
      }
      case 'list': {
        const list = flags.get(spec.name) as string[];
        if (spec.commaSplit) list.push(...(value === '' ? [] : value.split(',')));
        else list.push(value);
        break;
      }
      default:
        flags.set(spec.name, value);
    }
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      const display = spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
      if (eq >= 0) set(spec, arg.slice(eq + 1), display);
      else if (spec.kind === 'bool') set(spec, 'true', display);
      else if (i + 1 < argv.length) set(spec, argv[++i], display);
      else throw new FlagError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      let j = 1;
      while (j < arg.length) {
        const ch = arg[j];
        const spec = byShort.get(ch);
        if (!spec) throw new FlagError(`unknown shorthand flag: '${ch}' in ${arg}`);
        const display = `-${spec.short}, --${spec.name}`;
        if (spec.kind === 'bool') {
          if (arg[j + 1] === '=') {
            set(spec, arg.slice(j + 2), display);
            break;
          }
          set(spec, 'true', display);
          j++;
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest.startsWith('=')) set(spec, rest.slice(1), display);
        else if (rest !== '') set(spec, rest, display);
        else if (i + 1 < argv.length) set(spec, argv[++i], display);
        else throw new FlagError(`flag needs an argument: '${ch}' in -${ch}`);
        break;
      }
      continue;
    }
    positionals.push(arg);
    if (!opts.interspersed) {
      i++;
      break;
    }
  }
  positionals.push(...argv.slice(i));
  return { flags, positionals, given };
}

function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

export const str = (p: ParsedArgs, name: string) => p.flags.get(name) as string;
export const bool = (p: ParsedArgs, name: string) => p.flags.get(name) as boolean;
export const list = (p: ParsedArgs, name: string) => p.flags.get(name) as string[];
export const int = (p: ParsedArgs, name: string) => p.flags.get(name) as number;

/** docker's `map` and `opts.ListOpts` of key=value: `k=v` → [k, v]; `k` → [k, ''] */
export function keyValues(values: string[]): Array<[string, string]> {
  return values.map((v) => {
    const eq = v.indexOf('=');
    return eq >= 0 ? [v.slice(0, eq), v.slice(eq + 1)] : [v, ''];
  });
}
