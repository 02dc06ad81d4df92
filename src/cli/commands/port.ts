/** `docker port CONTAINER [PRIVATE_PORT[/PROTO]]`: the published host addresses, as the docker CLI prints them. */
import { naturalCompare } from '../../format/index.js';
import { CliError, type CommandSpec } from '../command.js';

type Ports = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

/** net.JoinHostPort: IPv6 hosts in brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const port: CommandSpec = {
  path: 'docker port',
  use: 'docker port CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  aliases: ['docker container port'],
  flags: [],
  args: { range: [1, 2] },
  async run(ctx, p) {
    const [ref, wanted] = p.positionals;
    const c = await ctx.api.request<{ NetworkSettings: { Ports: Ports | null } }>('GET', `/containers/${encodeURIComponent(ref)}/json`);
    const ports = c.NetworkSettings.Ports ?? {};
    const out: string[] = [];
    if (wanted !== undefined) {
      const [num, proto = 'tcp'] = wanted.split('/');
      if (!/^\d+$/.test(num) || Number(num) > 65535) throw new CliError(`Error: invalid port (${num}): strconv.ParseUint: parsing "${num}": invalid syntax`);
      const frontends = ports[`${num}/${proto}`];
      if (!frontends) throw new CliError(`Error: No public port '${wanted}' published for ${ref}`);
      for (const f of frontends) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, frontends] of Object.entries(ports)) for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
    }
    if (out.length > 0) ctx.io.stdout(`${out.sort(naturalCompare).join('\n')}\n`);
    return 0;
  },
};
