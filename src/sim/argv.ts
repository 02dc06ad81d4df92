/**
 * Reading a container's command line: the argv its main process runs, shell `-c` scripts
 * flattened into the simple commands they contain, and wrapper prefixes (`exec`, `env X=Y`,
 * `nohup`) stripped. Used for static questions (what does it listen on?) without running it.
 */
import type { ContainerRecord } from '../engine/model.js';
import { findImage } from '../engine/images.js';
import { literalWord, parseScript, simpleCommands, type List } from './script.js';
import { basename } from './context.js';

/**
 * The argv the simulator interprets. The images' entrypoints (`docker-entrypoint.sh`) are
 * wrappers that end in `exec "$@"`, so with the image's own entrypoint only the command counts.
 */
export function mainArgv(c: ContainerRecord): string[] {
  const image = findImage(c.image);
  const wrapper = image && image.entrypoint.length > 0 && c.entrypoint.join('\0') === image.entrypoint.join('\0');
  return wrapper || c.entrypoint.length === 0 ? [...c.cmd] : [...c.entrypoint, ...c.cmd];
}

export const SHELLS = new Set(['sh', 'ash', 'bash', 'dash']);

/** `sh -c SCRIPT …` / `sh -ec SCRIPT` → SCRIPT; anything else → undefined. */
export function shellScriptOf(argv: string[]): string | undefined {
  if (argv.length < 2 || !SHELLS.has(basename(argv[0]))) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return undefined;
    if (/^-[a-z]*c[a-z]*$/.test(a)) return argv[i + 1];
    if (!a.startsWith('-')) return undefined;
  }
  return undefined;
}

/** Drops `exec`, `env A=B …`, `nohup`, `command` prefixes. */
export function stripWrappers(argv: string[]): string[] {
  let a = argv;
  for (;;) {
    const name = a.length ? basename(a[0]) : '';
    if (name === 'exec' || name === 'nohup' || name === 'command') a = a.slice(1);
    else if (name === 'env') {
      let i = 1;
      while (i < a.length && (a[i].includes('=') || a[i].startsWith('-'))) i++;
      a = a.slice(i);
    } else return a;
  }
}

function envLookup(c: ContainerRecord): (name: string) => string | undefined {
  return (name) => {
    if (name === 'HOSTNAME') return c.hostname;
    if (name === 'HOME') return '/root';
    const hit = [...c.env].reverse().find((e) => e.startsWith(`${name}=`));
    return hit?.slice(name.length + 1);
  };
}

/** Every simple command the main process may run, recursing into `sh -c` scripts. */
export function commandsOf(c: ContainerRecord, argv: string[] = mainArgv(c), depth = 0): string[][] {
  const script = shellScriptOf(argv);
  if (script === undefined || depth > 4) return argv.length ? [stripWrappers(argv)] : [];
  let list: List;
  try {
    list = parseScript(script);
  } catch {
    return [];
  }
  const env = envLookup(c);
  const out: string[][] = [];
  for (const cmd of simpleCommands(list)) {
    const words = stripWrappers(cmd.words.map((w) => literalWord(w, env)));
    if (words.length === 0) continue;
    if (shellScriptOf(words) !== undefined) out.push(...commandsOf(c, words, depth + 1));
    else out.push(words);
  }
  return out;
}

/**
 * A tiny getopt for busybox-style option strings: `spec` lists flag letters, a `:` after a letter
 * means it takes a value (`-p 80`, `-p80`, bundled `-lp 80`). Long options are matched against
 * `long` (name → takes value). Stops at `--`; with `permute`, non-options may come first.
 */
export interface GetoptResult {
  flags: Map<string, string[]>;
  args: string[];
  error?: string;
}

export function getopt(argv: string[], spec: string, long: Record<string, boolean> = {}, permute = true): GetoptResult {
  const takesValue = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === ':') continue;
    takesValue.set(spec[i], spec[i + 1] === ':');
  }
  const flags = new Map<string, string[]>();
  const args: string[] = [];
  const add = (k: string, v: string) => {
    const list = flags.get(k) ?? [];
    list.push(v);
    flags.set(k, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (!(name in long)) return { flags, args, error: `unrecognized option '${a}'` };
      if (long[name]) {
        if (eq >= 0) add(name, a.slice(eq + 1));
        else if (i + 1 < argv.length) add(name, argv[++i]);
        else return { flags, args, error: `option '${a}' requires an argument` };
      } else add(name, '');
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j];
        if (!takesValue.has(ch)) return { flags, args, error: `invalid option -- '${ch}'` };
        if (takesValue.get(ch)) {
          const rest = a.slice(j + 1);
          if (rest) add(ch, rest);
          else if (i + 1 < argv.length) add(ch, argv[++i]);
          else return { flags, args, error: `option requires an argument -- '${ch}'` };
          break;
        }
        add(ch, '');
      }
      continue;
    }
    if (!permute) {
      args.push(...argv.slice(i));
      break;
    }
    args.push(a);
  }
  return { flags, args };
}
