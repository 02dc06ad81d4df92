// Public face of the Go text/template clone: parse once, execute against data
// in the Go value model (see go-values.ts).

import { GoCallable, toFuncSpec } from './go-values.js';
import { TemplateError } from './template-error.js';
import { ExecOptions, State } from './template-exec.js';
import { BUILTINS, DOCKER_FUNCS, HEADER_FUNCS, TemplateFunc } from './template-funcs.js';
import { ListNode } from './template-nodes.js';
import { parse } from './template-parser.js';

export { TemplateError };

/** A parsed template (opaque to callers). */
export interface Template {
  readonly source: string;
  /** @internal */ readonly root: ListNode;
  /** @internal */ readonly funcs: Record<string, TemplateFunc>;
}

export interface ParseOptions {
  /** Functions added next to Docker's (json, split, join, title, lower, upper, pad, truncate). */
  extraFuncs?: Record<string, GoCallable>;
  /**
   * Header mode (Docker's HeaderFunctions): json, split, join, title, lower,
   * upper and truncate return their string argument unchanged; pad is kept.
   */
  headerMode?: boolean;
}

function funcTable(opts: ParseOptions): Record<string, TemplateFunc> {
  const funcs: Record<string, TemplateFunc> = { ...DOCKER_FUNCS };
  if (opts.headerMode) Object.assign(funcs, HEADER_FUNCS);
  for (const [name, f] of Object.entries(opts.extraFuncs ?? {})) funcs[name] = toFuncSpec(f);
  return funcs;
}

/** Parse a template as Docker does (`templates.Parse`: name "", Docker's functions). Throws TemplateError. */
export function parseTemplate(src: string, opts: ParseOptions = {}): Template {
  const funcs = funcTable(opts);
  const has = (name: string) =>
    Object.prototype.hasOwnProperty.call(funcs, name) || Object.prototype.hasOwnProperty.call(BUILTINS, name);
  return { source: src, root: parse(src, has), funcs };
}

/** Same parsed tree, executed with Docker's header functions (tmpl.Funcs(HeaderFunctions)). */
export function withHeaderFuncs(t: Template): Template {
  return { ...t, funcs: { ...t.funcs, ...HEADER_FUNCS } };
}

/**
 * Execute and return the output, or the output written before the error and
 * the error. Go writes as it goes, so a failed execution leaves partial text
 * behind; Docker's table header relies on that (it ignores header errors).
 */
export function runTemplate(
  t: Template,
  data: unknown,
  opts: ExecOptions = {},
): { output: string; error: TemplateError | null } {
  const state = new State(t.source, t.funcs, BUILTINS, data, opts.missingKey === 'error');
  try {
    state.run(t.root);
    return { output: state.out, error: null };
  } catch (e) {
    if (e instanceof TemplateError) return { output: state.out, error: e };
    throw e;
  }
}

/** Execute a template; throws TemplateError with Go's message on failure. */
export function executeTemplate(t: Template, data: unknown, opts: ExecOptions = {}): string {
  const r = runTemplate(t, data, opts);
  if (r.error) throw r.error;
  return r.output;
}

export type { ExecOptions };
