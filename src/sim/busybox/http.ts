/**
 * What the simulated servers send back to an HTTP client, and what they log. Bodies are the
 * real defaults: nginx's welcome page (615 bytes), Python's http.server directory listing of
 * `/`, http-server's index page, busybox httpd's 404 (its document root has no index.html).
 * Non-HTTP servers (postgres, redis, socat) close without an HTTP reply; busybox `nc -l`
 * prints the request and — with no stdin to send back — closes its side at once.
 */
import type { ContainerRecord } from '../../engine/model.js';
import type { Listener } from '../listeners.js';
import { utf8Length } from '../context.js';

export interface HttpReply {
  kind: 'reply';
  statusLine: string;
  headers: Array<[string, string]>;
  body: string;
}

export type HttpOutcome = HttpReply | { kind: 'closed' } | { kind: 'hang' };

export const NGINX_VERSION = '1.27.5';

export const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginx404 = `<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx/${NGINX_VERSION}</center>
</body>
</html>
`;

const ROOT_ENTRIES = ['.dockerenv', 'bin@', 'boot/', 'dev/', 'etc/', 'home/', 'lib/', 'lib64@', 'media/', 'mnt/', 'opt/', 'proc/', 'root/', 'run/', 'sbin@', 'srv/', 'sys/', 'tmp/', 'usr/', 'var/'];

function pythonListing(): string {
  const items = ROOT_ENTRIES.map((e) => {
    const href = e.replace(/@$/, '/');
    return `<li><a href="${href}">${e}</a></li>`;
  }).join('\n');
  return `<!DOCTYPE HTML>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Directory listing for /</title>
</head>
<body>
<h1>Directory listing for /</h1>
<hr>
<ul>
${items}
</ul>
<hr>
</body>
</html>
`;
}

const PYTHON_404 = `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: 404</p>
        <p>Message: File not found.</p>
        <p>Error code explanation: 404 - Nothing matches the given URI.</p>
    </body>
</html>
`;

const BUSYBOX_404 = '<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\nThe requested URL was not found\n</BODY></HTML>\n';

export const EXAMPLE_DOMAIN = `<!doctype html><html lang="en"><head><title>Example Domain</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>body{background:#eee;width:60vw;margin:15vh auto;font-family:system-ui,sans-serif}h1{font-size:1.5em}div{opacity:0.8}a:link,a:visited{color:#348}</style><body><div><h1>Example Domain</h1><p>This domain is for use in documentation examples without needing permission. Avoid use in operations.<p><a href="https://iana.org/domains/example">Learn more</a></div></body></html>
`;

function reply(statusLine: string, body: string, server?: string, type = 'text/html'): HttpReply {
  const headers: Array<[string, string]> = [];
  if (server) headers.push(['Server', server]);
  headers.push(['Content-Type', type], ['Content-Length', String(utf8Length(body))]);
  return { kind: 'reply', statusLine, headers, body };
}

/** The response a listener's program gives to `GET path`. */
export function serveHttp(listener: Listener | undefined, path: string, owner: ContainerRecord): HttpOutcome {
  const p = path.split('?')[0].split('#')[0] || '/';
  switch (listener?.program) {
    case 'nginx':
      if (p === '/' || p === '/index.html') return reply('HTTP/1.1 200 OK', NGINX_WELCOME, `nginx/${NGINX_VERSION}`);
      return reply('HTTP/1.1 404 Not Found', nginx404, `nginx/${NGINX_VERSION}`);
    case 'python-http':
      if (p === '/') return reply('HTTP/1.0 200 OK', pythonListing(), 'SimpleHTTP/0.6 Python/3.13.3', 'text/html; charset=utf-8');
      return reply('HTTP/1.0 404 File not found', PYTHON_404, 'SimpleHTTP/0.6 Python/3.13.3', 'text/html;charset=utf-8');
    case 'http-server':
      if (p === '/') {
        return reply('HTTP/1.1 200 OK', httpServerIndex(), undefined, 'text/html');
      }
      return reply('HTTP/1.1 404 Not Found', '', undefined, 'text/plain');
    case 'httpd':
      return reply('HTTP/1.1 404 Not Found', BUSYBOX_404);
    case 'nc':
      return owner.openStdin ? { kind: 'hang' } : { kind: 'closed' };
    default:
      return { kind: 'closed' };
  }
}

function httpServerIndex(): string {
  const rows = ROOT_ENTRIES.filter((e) => e.endsWith('/')).map((e) => `<tr><td><code>(drwxr-xr-x)</code></td><td class="file-size"><code></code></td><td class="display-name"><a href="/${e}">${e}</a></td></tr>`);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Index of /</title></head><body><h1>Index of /</h1><table>${rows.join('')}</table><br><address>Node.js v20.19.2/ <a href="https://github.com/http-party/http-server">http-server</a> server running @ 0.0.0.0:8080</address></body></html>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** The line the server writes to its log for one request (what `docker logs` shows). */
export function accessLog(program: Listener['program'], client: string, path: string, reply: HttpReply, nowNanos: bigint): string {
  const d = new Date(Number(nowNanos / 1_000_000n));
  const code = reply.statusLine.split(' ')[1];
  const bytes = utf8Length(reply.body);
  switch (program) {
    case 'nginx': {
      const date = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
      return `${client} - - [${date}] "GET ${path} HTTP/1.1" ${code} ${bytes} "-" "Wget" "-"\n`;
    }
    case 'python-http': {
      const date = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
      const pre = code === '404' ? `${client} - - [${date}] code 404, message File not found\n` : '';
      return `${pre}${client} - - [${date}] "GET ${path} HTTP/1.1" ${code} -\n`;
    }
    case 'http-server':
      return `[${d.toISOString()}]  "GET ${path}" "Wget"\n`;
    default:
      return '';
  }
}
