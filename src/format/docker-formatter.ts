// Docker's list-formatting pipeline (cli/command/formatter/formatter.go):
// `table …` formats get a header row and go through the tabwriter; anything
// else is a plain template printed once per row.

import { GoCallable, GoStruct, toFuncSpec } from './go-values.js';
import { tabwrite } from './tabwriter.js';
import { executeTemplate, parseTemplate, runTemplate, withHeaderFuncs } from './template.js';

export interface ListFormatSpec {
  format: string;
  headers: Record<string, string>;
}

/** Format.IsTable: any format *starting* with "table" ("tablefoo {{.Name}}" too). */
export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

/**
 * Context.preFormat: strip a leading "table" (or map the bare "json" format to
 * `{{json .}}`), trim spaces, then turn the two-character sequences \t and \n
 * into a real tab and newline (so shell-quoted 'table {{.ID}}\t{{.Name}}' works).
 */
export function preFormat(format: string): string {
  let f = format;
  if (isTableFormat(f)) f = f.slice('table'.length);
  else if (f === 'json') f = '{{json .}}';
  f = f.replace(/^ +| +$/g, '');
  return f.replace(/\\[tn]/g, (m) => (m === '\\t' ? '\t' : '\n'));
}

/**
 * Render rows the way Docker's formatter.Context.Write does:
 * - every row is executed (the first error aborts everything: nothing printed);
 * - each rendered row is followed by "\n";
 * - for tables, the header is the same template executed with Docker's header
 *   functions against the `headers` map (field name -> column title). Like
 *   Docker, header errors are ignored and whatever was rendered before the
 *   error is kept (e.g. `{{.Label "k"}}` stops the header there, since a map
 *   has no methods); the header is printed even with zero rows;
 * - table output goes through the tabwriter; other output is not aligned.
 * Throws TemplateError (the caller adds the `template parsing error: ` prefix).
 */
export function renderList(format: string, rows: unknown[], headers: Record<string, string>): string {
  const tmpl = parseTemplate(preFormat(format));
  let body = '';
  for (const row of rows) body += executeTemplate(tmpl, row) + '\n';
  if (!isTableFormat(format)) return body;
  const header = runTemplate(withHeaderFuncs(tmpl), headers).output;
  return tabwrite(header + '\n' + body);
}

/**
 * Build a Docker formatter sub-context (e.g. '*network.networkContext'): the
 * methods are what templates reach as `.ID`, `.Label "k"`, …; `{{json .}}`
 * encodes every zero-argument method as a key-sorted object, as
 * formatter.MarshalJSON does (through json.Marshal, so HTML escaping is on).
 */
export function formatterContext(typeName: string, methods: Record<string, GoCallable>): GoStruct {
  const marshalJSON = () => {
    const m: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(methods)) {
      const spec = toFuncSpec(f);
      if (spec.params.length === 0 && !spec.variadic && /^[A-Z]/.test(name)) m[name] = spec.fn();
    }
    return m;
  };
  return new GoStruct(typeName, [], methods, { marshalJSON });
}
