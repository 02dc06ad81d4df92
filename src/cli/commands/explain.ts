/** `crosstalk explain FROM TO[:PORT]`: why one container can or cannot reach another. */
import { renderExplanation, type Explanation } from '../../explain/explain.js';
import { bool, str } from '../args.js';
import { CliError, type CommandSpec } from '../command.js';

const explainCommand: CommandSpec = {
  path: 'crosstalk explain',
  use: 'crosstalk explain [OPTIONS] FROM TO[:PORT]',
  short: 'Explain why FROM (a container, or "host") can or cannot reach TO (a name or address)',
  flags: [
    { name: 'port', short: 'p', kind: 'string' },
    { name: 'udp', kind: 'bool' },
  ],
  args: { exact: 2 },
  async run(ctx, p) {
    const [from, toSpec] = p.positionals;
    const m = /^(.*?)(?::(\d+))?$/.exec(toSpec)!;
    const portText = str(p, 'port') || m[2];
    const port = portText ? Number(portText) : undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new CliError(`invalid port: ${portText}`);
    const proto = port === undefined ? 'icmp' : bool(p, 'udp') ? 'udp' : 'tcp';
    const e = await ctx.api.request<Explanation>('GET', '/crosstalk/explain', { query: { from, to: m[1], port, proto } });
    ctx.io.stdout(renderExplanation(e));
    return e.reachable ? 0 : 1;
  },
};

export const EXPLAIN_COMMANDS: Record<string, CommandSpec> = { explain: explainCommand };
