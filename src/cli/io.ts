/**
 * Injected terminal: the same command tree writes to a real terminal, to test buffers, or to a
 * browser terminal.
 */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Next line of standard input without its newline, or null at end of input. */
  readLine(): Promise<string | null>;
  readonly stdinIsTty: boolean;
}

/** Collects output; feeds scripted input lines. */
export class BufferIo implements Io {
  out = '';
  err = '';
  readonly stdinIsTty = false;
  constructor(private readonly input: string[] = []) {}
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
  async readLine(): Promise<string | null> {
    return this.input.length ? this.input.shift()! : null;
  }
}
