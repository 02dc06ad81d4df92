/** `docker update --restart POLICY CONTAINER...`: the part of `docker update` crosstalk models. */
import { str } from '../args.js';
import { DaemonError } from '../client/api-client.js';
import { CliError, type CommandSpec } from '../command.js';
import { parseRestartFlag } from './run.js';

export const update: CommandSpec = {
  path: 'docker update',
  use: 'docker update [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Update configuration of one or more containers',
  aliases: ['docker container update'],
  flags: [{ name: 'restart', kind: 'string' }],
  args: { min: 1 },
  async run(ctx, p) {
    if (!p.given.has('restart')) throw new CliError('you must provide one or more flags when using this command', 1);
    const policy = parseRestartFlag(str(p, 'restart'));
    let failed = false;
    for (const ref of p.positionals) {
      try {
        await ctx.api.request('POST', `/containers/${encodeURIComponent(ref)}/update`, { body: { RestartPolicy: policy } });
        ctx.io.stdout(`${ref}\n`);
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        ctx.io.stderr(`Error response from daemon: ${err.message.trim()}\n`);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  },
};
