/** `crosstalk info`: which engine the CLI talks to (a daemon's socket or the embedded engine), and its counts. */
import type { CommandSpec } from '../command.js';

interface InfoBody {
  Name?: string;
  ServerVersion?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  OperatingSystem?: string;
  [key: string]: unknown;
}

const info: CommandSpec = {
  path: 'docker info',
  use: 'docker info [OPTIONS]',
  short: 'Display system-wide information',
  aliases: ['docker system info'],
  flags: [{ name: 'format', short: 'f', kind: 'string' }],
  args: { none: true },
  async run(ctx) {
    const body = await ctx.api.request<InfoBody>('GET', '/info');
    const lines = [
      'Client:',
      ` Engine API: ${ctx.api.transport.description}`,
      '',
      'Server:',
      ` Containers: ${body.Containers ?? 0}`,
      `  Running: ${body.ContainersRunning ?? 0}`,
      `  Paused: ${body.ContainersPaused ?? 0}`,
      `  Stopped: ${body.ContainersStopped ?? 0}`,
      ` Images: ${body.Images ?? 0}`,
      ` Server Version: ${body.ServerVersion ?? ''}`,
      ` Storage Driver: ${body.Driver ?? ''}`,
      ` Operating System: ${body.OperatingSystem ?? ''}`,
      ` Name: ${body.Name ?? ''}`,
    ];
    ctx.io.stdout(`${lines.join('\n')}\n`);
    return 0;
  },
};

export const INFO_COMMANDS: Record<string, CommandSpec> = { info };
