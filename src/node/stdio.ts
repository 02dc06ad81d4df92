/** Io over the process's standard streams, reading stdin line by line on demand. */
import { createInterface, type Interface } from 'node:readline';
import type { Io } from '../cli/io.js';

export class ProcessIo implements Io {
  private rl: Interface | undefined;
  private lines: string[] = [];
  private waiters: Array<(line: string | null) => void> = [];
  private ended = false;
  readonly stdinIsTty = Boolean(process.stdin.isTTY);

  stdout(text: string): void {
    process.stdout.write(text);
  }
  stderr(text: string): void {
    process.stderr.write(text);
  }
  readLine(): Promise<string | null> {
    if (!this.rl) {
      this.rl = createInterface({ input: process.stdin, terminal: false });
      this.rl.on('line', (line) => {
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      });
      this.rl.on('close', () => {
        this.ended = true;
        for (const w of this.waiters.splice(0)) w(null);
      });
    }
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  close(): void {
    this.rl?.close();
  }
}
