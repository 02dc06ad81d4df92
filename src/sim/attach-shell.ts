/**
 * An interactive busybox ash (`docker container attach alpine1`, `docker exec -it c sh`): each
 * line runs through the same shell as runCommand, with variables, `$?` and files written
 * (`echo x > /tmp/f`) kept between lines. `exit [N]` ends it. Long-running commands end as if
 * interrupted with Ctrl-C (`^C`, status 130) because nothing can block in the simulation.
 * The prompt is ash's default for root in `/`: `/ # `. Unknown commands print
 * `<shell>: foo: not found` with the shell's own argv[0] (`ash`, `/bin/sh`, `sh`).
 */
import type { ContainerRecord } from '../engine/model.js';
import { mainArgv } from './argv.js';
import { KEEPS_RUNNING, basename, type ExecIo, type ShellState } from './context.js';
import { ExitSignal } from './interp.js';
import type { NetView } from './netview.js';
import { makeContext, newShellState, runScriptText } from './shell.js';

export class SimShell {
  readonly prompt = '/ # ';
  private readonly shell: ShellState;
  private readonly shellName: string;
  private done = false;

  constructor(
    private readonly view: NetView,
    private readonly c: ContainerRecord,
    private readonly io: ExecIo,
    shellName?: string,
  ) {
    this.shell = newShellState(c);
    const main = mainArgv(c)[0];
    this.shellName = shellName ?? (main && ['sh', 'ash', 'bash'].includes(basename(main)) ? main : 'sh');
  }

  get exited(): boolean {
    return this.done;
  }

  runLine(line: string): { exited: boolean; exitCode?: number } {
    if (this.done) return { exited: true, exitCode: this.shell.lastStatus };
    if (line.trim() === '') return { exited: false };
    const ctx = makeContext(this.view, this.c, { ...this.io, tty: this.io.tty ?? true, stdin: undefined }, 'exec', this.shell);
    this.shell.exited = false;
    let status: number;
    try {
      status = runScriptText(ctx, line, this.shellName);
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      status = e.code;
      this.shell.exited = true;
    }
    if (status === KEEPS_RUNNING) {
      this.io.stdout('^C\n');
      status = 130;
    }
    this.shell.lastStatus = status;
    if (this.shell.exited) {
      this.done = true;
      return { exited: true, exitCode: status };
    }
    return { exited: false };
  }
}
