/**
 * `crosstalk image import NAME ROOTFS.tar`: a root filesystem tarball becomes an image the real
 * data plane can run (the daemon extracts it; the path is on the daemon's machine).
 */
import { CliError, type CommandContext, type CommandSpec } from '../command.js';

const importImage: CommandSpec = {
  path: 'crosstalk image import',
  use: 'crosstalk image import NAME ROOTFS.tar',
  short: 'Import a root filesystem tarball as image NAME (real data plane)',
  flags: [],
  args: { exact: 2 },
  async run(ctx, p) {
    const [name, file] = p.positionals;
    const pwd = ctx.env.PWD ?? '';
    const path = file.startsWith('/') || !pwd ? file : `${pwd.replace(/\/$/, '')}/${file}`;
    const res = await ctx.api.request<{ name: string }>('POST', '/crosstalk/images/import', { query: { name, path } });
    ctx.io.stdout(`${res.name}\n`);
    return 0;
  },
};

export async function imageGroup(ctx: CommandContext, argv: string[], run: (spec: CommandSpec, argv: string[]) => Promise<number>): Promise<number> {
  if (argv[0] === 'import') return run(importImage, argv.slice(1));
  if (argv[0] === undefined || argv[0] === '--help') {
    ctx.io.stdout('Usage:  crosstalk image COMMAND\n\nCommands:\n  import      Import a root filesystem tarball as an image (real data plane)\n');
    return 0;
  }
  throw new CliError(`crosstalk: 'image ${argv[0]}' is not supported (only 'image import')`);
}
