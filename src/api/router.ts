/** Route table: `{param}` matches one path segment, `{param:.*}` the rest (image names have slashes). */
import type { ApiRequest, ApiResponse } from './contract.js';
import type { ApiCore } from './core.js';
import type { Query } from './filters.js';
import { parseBody, type Json } from './json.js';

export interface RouteContext {
  core: ApiCore;
  req: ApiRequest;
  params: Record<string, string>;
  query: Query;
  /** The request's API version (its path prefix, or the daemon's default). */
  version: string;
  /** The parsed JSON body (undefined when empty); throws 400 on malformed JSON. */
  body(): Json | undefined;
}

export type Handler = (ctx: RouteContext) => ApiResponse | Promise<ApiResponse>;

export interface Route {
  method: string;
  path: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  re: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    const escape = (lit: string) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    let pattern = '';
    let last = 0;
    for (const m of path.matchAll(/\{(\w+)(:\.\*)?\}/g)) {
      pattern += escape(path.slice(last, m.index)) + (m[2] ? '(.+)' : '([^/]+)');
      names.push(m[1]);
      last = m.index! + m[0].length;
    }
    pattern += escape(path.slice(last));
    this.routes.push({ method, path, handler, re: new RegExp(`^${pattern}$`), names });
    return this;
  }

  addAll(routes: Route[]): this {
    for (const r of routes) this.add(r.method, r.path, r.handler);
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1]);
        } catch {
          params[n] = m[i + 1];
        }
      });
      return { handler: r.handler, params };
    }
    return undefined;
  }
}

export function lazyBody(text: string): () => Json | undefined {
  let parsed = false;
  let value: Json | undefined;
  return () => {
    if (!parsed) {
      value = parseBody(text);
      parsed = true;
    }
    return value;
  };
}
