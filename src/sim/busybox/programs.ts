/**
 * The images' own programs: servers (nginx, postgres, redis-server, busybox httpd, Python's
 * http.server, http-server) and runtimes (node, npm, python). Servers return KEEPS_RUNNING as a
 * container's main process; the interesting cases are the ones that end instead:
 *   - `nginx` without `-g 'daemon off;'` and busybox `httpd` without `-f` daemonize: the main
 *     process exits 0 at once and the container stops;
 *   - `postgres` refuses to initialise without POSTGRES_PASSWORD (or trust auth): exit 1;
 *   - `npm install` needs the registry: on an --internal network the name does not resolve
 *     (the embedded DNS cannot forward: EAI_AGAIN), elsewhere with no route ENETUNREACH — so
 *     `npm install -g http-server && http-server …` stops at npm and the container exits.
 * A server started from `docker exec` cannot add a listener to the simulation (listeners come
 * from the main command): those report it and fail.
 */
import type { ContainerRecord } from '../../engine/model.js';
import { getopt } from '../argv.js';
import { KEEPS_RUNNING, strerror, type CmdContext, type Errno } from '../context.js';
import { getaddrinfo, sockaddr } from '../resolve.js';
import { connect, errnoOf } from './connect.js';

function envOf(c: ContainerRecord, name: string): string | undefined {
  const hit = [...c.env].reverse().find((e) => e.startsWith(`${name}=`));
  return hit?.slice(name.length + 1);
}

function execServer(ctx: CmdContext, name: string): number {
  ctx.err(`${name}: starting a server from an exec session is not simulated (only a container's main command can serve); run it as the container's command\n`);
  return 1;
}

const NGINX_ENTRYPOINT_LOG = [
  '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
  '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
  '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
  '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
  '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
  '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
  '/docker-entrypoint.sh: Configuration complete; ready for start up',
].join('\n');

export function nginx(ctx: CmdContext, argv: string[]): number {
  const args = argv.slice(1);
  if (args.includes('-v')) {
    ctx.err('nginx version: nginx/1.27.5\n');
    return 0;
  }
  if (args.includes('-t')) {
    ctx.err('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
    return 0;
  }
  if (ctx.mode === 'exec') {
    if (ctx.c.status === 'running' && ctx.c.cmd[0] === 'nginx') {
      ctx.err('nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)\n');
      return 1;
    }
    return execServer(ctx, 'nginx');
  }
  ctx.out(`${NGINX_ENTRYPOINT_LOG}\n`);
  const daemonOff = args.some((a) => /daemon\s+off/.test(a));
  return daemonOff ? KEEPS_RUNNING : 0;
}

export function postgres(ctx: CmdContext, argv: string[]): number {
  if (argv.includes('--version') || argv.includes('-V')) {
    ctx.out('postgres (PostgreSQL) 17.5 (Debian 17.5-1.pgdg120+1)\n');
    return 0;
  }
  if (ctx.mode === 'exec') {
    ctx.err('"root" execution of the PostgreSQL server is not permitted.\nThe server must be started under an unprivileged user ID to prevent\npossible system security compromise.  See the documentation for\nmore information on how to properly start the server.\n');
    return 1;
  }
  if (!envOf(ctx.c, 'POSTGRES_PASSWORD') && envOf(ctx.c, 'POSTGRES_HOST_AUTH_METHOD') !== 'trust') {
    ctx.err(
      'Error: Database is uninitialized and superuser password is not specified.\n' +
        '       You must specify POSTGRES_PASSWORD to a non-empty value for the\n' +
        '       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".\n\n' +
        '       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all\n' +
        '       connections without a password. This is *not* recommended.\n\n' +
        '       See PostgreSQL documentation about "trust":\n' +
        '       https://www.postgresql.org/docs/current/auth-trust.html\n',
    );
    return 1;
  }
  return KEEPS_RUNNING;
}

export function redisServer(ctx: CmdContext, argv: string[]): number {
  if (argv.includes('--version') || argv.includes('-v')) {
    ctx.out('Redis server v=8.0.2 sha=00000000:1 malloc=jemalloc-5.3.0 bits=64 build=1\n');
    return 0;
  }
  return ctx.mode === 'exec' ? execServer(ctx, 'redis-server') : KEEPS_RUNNING;
}

export function httpd(ctx: CmdContext, argv: string[]): number {
  const o = getopt(argv.slice(1), 'ifvc:d:e:h:m:p:r:u:');
  if (o.error) {
    ctx.err(`httpd: ${o.error}\n`);
    return 1;
  }
  if (o.flags.has('d')) {
    ctx.out(`${decodeURIComponent(o.flags.get('d')!.at(-1)!)}\n`);
    return 0;
  }
  if (ctx.mode === 'exec') return execServer(ctx, 'httpd');
  return o.flags.has('f') ? KEEPS_RUNNING : 0;
}

export function python(ctx: CmdContext, argv: string[]): number {
  const args = argv.slice(1);
  if (args[0] === '--version' || args[0] === '-V') {
    ctx.out('Python 3.13.3\n');
    return 0;
  }
  const m = args.indexOf('-m');
  if (m >= 0) {
    const mod = args[m + 1];
    if (mod === 'http.server') {
      if (ctx.mode === 'exec') return execServer(ctx, 'python3 -m http.server');
      // stdout is block-buffered without a terminal: the banner shows up only with -t or -u.
      if (ctx.c.tty || args.includes('-u') || envOf(ctx.c, 'PYTHONUNBUFFERED')) {
        const port = args[m + 2] && /^\d+$/.test(args[m + 2]) ? args[m + 2] : '8000';
        ctx.out(`Serving HTTP on :: port ${port} (http://[::]:${port}/) ...\n`);
      }
      return KEEPS_RUNNING;
    }
    if (mod === 'pip') return 0;
    ctx.err(`${argv[0]}: No module named ${mod}\n`);
    return 1;
  }
  if (args.includes('-c')) return 0;
  const file = args.find((a) => !a.startsWith('-'));
  if (file) {
    ctx.err(`${argv[0]}: can't open file '${file.startsWith('/') ? file : `/${file}`}': [Errno 2] No such file or directory\n`);
    return 2;
  }
  return ctx.mode === 'main' && ctx.stdinOpen ? KEEPS_RUNNING : 0;
}

export function node(ctx: CmdContext, argv: string[]): number {
  const args = argv.slice(1);
  if (args[0] === '--version' || args[0] === '-v') {
    ctx.out('v20.19.2\n');
    return 0;
  }
  if (args.includes('-e') || args.includes('-p') || args.includes('--eval')) return 0;
  const file = args.find((a) => !a.startsWith('-'));
  if (file) {
    const path = file.startsWith('/') ? file : `/${file.replace(/^\.\//, '')}`;
    ctx.err(
      `node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '${path}'\n` +
        '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n' +
        '    at Module._load (node:internal/modules/cjs/loader:1051:27)\n' +
        '    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:174:12)\n' +
        "    at node:internal/main/run_main_module:28:49 {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}\n\nNode.js v20.19.2\n",
    );
    return 1;
  }
  return ctx.mode === 'main' && ctx.stdinOpen ? KEEPS_RUNNING : 0;
}

/** Packages whose install provides a command, with npm's package count for the summary. */
const KNOWN_PACKAGES: Record<string, { bin: string; count: number; funding: number }> = {
  'http-server': { bin: 'http-server', count: 48, funding: 15 },
  nodemon: { bin: 'nodemon', count: 29, funding: 4 },
  serve: { bin: 'serve', count: 89, funding: 25 },
};

function npmTimestamp(ctx: CmdContext): string {
  const nanos = ctx.view ? ctx.view.engine.deps.clock.nowNanos() : 0n;
  return new Date(Number(nanos / 1_000_000n)).toISOString().replace(/:/g, '_').replace('.', '_');
}

function npmError(ctx: CmdContext, code: string, syscall: string, detail: string): number {
  ctx.err(`npm error code ${code}\nnpm error syscall ${syscall}\nnpm error errno ${code}\nnpm error ${detail}\n`);
  ctx.err(`npm error A complete log of this run can be found in: /root/.npm/_logs/${npmTimestamp(ctx)}-debug-0.log\n`);
  return 1;
}

export function npm(ctx: CmdContext, argv: string[]): number {
  const sub = argv[1];
  if (sub === '--version' || sub === '-v') {
    ctx.out('10.8.2\n');
    return 0;
  }
  if (!['install', 'i', 'add', 'ci', 'update'].includes(sub ?? '')) {
    if (sub === 'start' || sub === 'run' || sub === 'test') {
      ctx.err(`npm error code ENOENT\nnpm error syscall open\nnpm error path /package.json\nnpm error errno -2\nnpm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '/package.json'\nnpm error enoent This is related to npm not being able to find a file.\nnpm error enoent\n`);
      ctx.err(`npm error A complete log of this run can be found in: /root/.npm/_logs/${npmTimestamp(ctx)}-debug-0.log\n`);
      return 254;
    }
    return 0;
  }
  const pkgs = argv.slice(2).filter((a) => !a.startsWith('-'));
  if (pkgs.length === 0) {
    ctx.err(`npm error code ENOENT\nnpm error syscall open\nnpm error path /package.json\nnpm error errno -2\nnpm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '/package.json'\nnpm error enoent This is related to npm not being able to find a file.\nnpm error enoent\n`);
    ctx.err(`npm error A complete log of this run can be found in: /root/.npm/_logs/${npmTimestamp(ctx)}-debug-0.log\n`);
    return 254;
  }
  const view = ctx.view;
  const url = `https://registry.npmjs.org/${pkgs[0].replace(/@[^/@]*$/, '') || pkgs[0]}`;
  if (view) {
    const host = 'registry.npmjs.org';
    const res = getaddrinfo(view, ctx.c, host);
    if (!res.ok) {
      const code = res.failure === 'nxdomain' || res.failure === 'nodata' ? 'ENOTFOUND' : 'EAI_AGAIN';
      return npmError(ctx, code, 'getaddrinfo', `request to ${url} failed, reason: getaddrinfo ${code} ${host}`);
    }
    const addr = res.addresses[0];
    const conn = connect(ctx, addr, 443, 'tcp');
    if (conn.reach.outcome !== 'ok') {
      const errno: Errno = errnoOf(conn.reach);
      return npmError(ctx, errno, 'connect', `request to ${url} failed, reason: connect ${errno} ${sockaddr(addr, 443)}`);
    }
  }
  let count = 0;
  let funding = 0;
  for (const p of pkgs) {
    const name = p.replace(/(.)@[^/@]*$/, '$1');
    const known = KNOWN_PACKAGES[name];
    count += known?.count ?? 1;
    funding += known?.funding ?? 0;
    ctx.shell.installed.add(known?.bin ?? name);
  }
  let out = `\nadded ${count} package${count === 1 ? '' : 's'} in 3s\n`;
  if (funding) out += `\n${funding} package${funding === 1 ? ' is' : 's are'} looking for funding\n  run \`npm fund\` for details\n`;
  ctx.out(out);
  return 0;
}

export function httpServer(ctx: CmdContext, argv: string[]): number {
  if (ctx.mode === 'exec') return execServer(ctx, 'http-server');
  const o = getopt(argv.slice(1), 'p:a:d:i:g:b:e:s:c:t:u:P:C:K:S:U:r:o:h', { port: true, address: true });
  const port = o.flags.get('p')?.at(-1) ?? o.flags.get('port')?.at(-1) ?? '8080';
  const address = o.flags.get('a')?.at(-1) ?? o.flags.get('address')?.at(-1) ?? '0.0.0.0';
  let available = '';
  if (address === '0.0.0.0') {
    available = `  http://127.0.0.1:${port}\n`;
    for (const ep of ctx.c.endpoints) if (ep.ipv4) available += `  http://${ep.ipv4}:${port}\n`;
  } else available = `  http://${address}:${port}\n`;
  ctx.out(
    `Starting up http-server, serving ${o.args[0] ?? './'}\n\nhttp-server version: 14.1.1\n\n` +
      'http-server settings: \nCORS: disabled\nCache: 3600 seconds\nConnection Timeout: 120 seconds\nDirectory Listings: visible\nAutoIndex: visible\nServe GZIP Files: false\nServe Brotli Files: false\nDefault File Extension: none\n\n' +
      `Available on:\n${available}Hit CTRL-C to stop the server\n`,
  );
  return KEEPS_RUNNING;
}

/** `pg_isready [-h HOST] [-p PORT] [-q]`: 0 accepting, 2 no response. */
export function pgIsready(ctx: CmdContext, argv: string[]): number {
  const o = getopt(argv.slice(1), 'h:p:U:d:t:q', { host: true, port: true, username: true, dbname: true, timeout: true, quiet: false });
  const host = o.flags.get('h')?.at(-1) ?? o.flags.get('host')?.at(-1);
  const port = Number(o.flags.get('p')?.at(-1) ?? o.flags.get('port')?.at(-1) ?? 5432);
  const quiet = o.flags.has('q') || o.flags.has('quiet');
  const where = host ? `${host}:${port}` : `/var/run/postgresql:${port}`;
  if (!ctx.view) return 0;
  let ok: boolean;
  if (!host) ok = ctx.view.listeners(ctx.c).some((l) => l.program === 'postgres' && l.port === port);
  else {
    const res = getaddrinfo(ctx.view, ctx.c, host);
    ok = res.ok && (() => {
      const conn = connect(ctx, res.addresses[0], port, 'tcp');
      return conn.reach.outcome === 'ok' && conn.listener?.program === 'postgres';
    })();
  }
  if (!quiet) ctx.out(`${where} - ${ok ? 'accepting connections' : 'no response'}\n`);
  return ok ? 0 : 2;
}

/** `redis-cli [-h HOST] [-p PORT] [ping]`. */
export function redisCli(ctx: CmdContext, argv: string[]): number {
  const o = getopt(argv.slice(1), 'h:p:a:n:', {});
  const host = o.flags.get('h')?.at(-1) ?? '127.0.0.1';
  const port = Number(o.flags.get('p')?.at(-1) ?? 6379);
  if (!ctx.view) return 0;
  const res = getaddrinfo(ctx.view, ctx.c, host);
  if (!res.ok) {
    ctx.err(`Could not connect to Redis at ${host}:${port}: Name does not resolve\n`);
    return 1;
  }
  const conn = connect(ctx, res.addresses[0], port, 'tcp');
  if (conn.reach.outcome !== 'ok' || conn.listener?.program !== 'redis') {
    const why = conn.reach.outcome === 'ok' ? 'Connection reset by peer' : strerror(ctx.c, errnoOf(conn.reach));
    ctx.err(`Could not connect to Redis at ${host}:${port}: ${why}\n`);
    return 1;
  }
  const cmd = o.args[0]?.toLowerCase();
  ctx.out(cmd === 'ping' || cmd === undefined ? 'PONG\n' : 'OK\n');
  return 0;
}
