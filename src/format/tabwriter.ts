// Go's text/tabwriter as forked by docker/cli (cell widths in display cells),
// with Docker's parameters as defaults: minwidth 10, tabwidth 1, padding 3,
// pad character space, no flags. Ported from the Writer's cell splitting,
// column-block formatting and line writing so layouts match byte for byte.

import { displayWidth } from './display-width.js';

export interface TabwriterOptions {
  minwidth?: number;
  tabwidth?: number;
  padding?: number;
}

interface Cell {
  text: string;
  width: number; // display width of text
  htab: boolean; // terminated by '\t' (as opposed to '\v' or a line end)
}

/**
 * Align tab-terminated cells into columns. Text after the last tab of a line is
 * not part of any column and is never padded; a tab-terminated cell is padded
 * even when it ends the line (Go writes that padding).
 */
export function tabwrite(text: string, opts: TabwriterOptions = {}): string {
  const minwidth = opts.minwidth ?? 10;
  const padding = opts.padding ?? 3;
  // tabwidth only matters when padding with tabs, which Docker does not do.

  let out = '';
  let lines: Cell[][] = [[]];
  let widths: number[] = [];
  let cell = '';

  const terminateCell = (htab: boolean): number => {
    const line = lines[lines.length - 1];
    line.push({ text: cell, width: displayWidth(cell), htab });
    cell = '';
    return line.length;
  };

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i];
      line.forEach((c, j) => {
        out += c.text;
        if (j < widths.length) out += ' '.repeat(Math.max(widths[j] - c.width, 0));
      });
      // The last buffered line has no newline yet (its text is still the open cell).
      if (i + 1 === lines.length) out += cell;
      else out += '\n';
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      // The last cell of a line is not tab-terminated and belongs to no column.
      if (column >= lines[cur].length - 1) continue;
      // A cell exists in this column: print the lines before the block.
      writeLines(line0, cur);
      line0 = cur;
      // The block is the run of consecutive lines with a cell in this column.
      let width = minwidth;
      for (; cur < line1; cur++) {
        const line = lines[cur];
        if (column >= line.length - 1) break;
        width = Math.max(width, line[column].width + padding);
      }
      // Format the columns to the right within this block only.
      widths.push(width);
      format(line0, cur);
      widths.pop();
      line0 = cur;
    }
    writeLines(line0, line1);
  };

  const flush = (): void => {
    if (cell.length > 0) terminateCell(false);
    format(0, lines.length);
    lines = [[]];
    widths = [];
  };

  for (const ch of text) {
    if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
      const ncells = terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        lines.push([]);
        // A one-cell line cannot affect later columns, so Go flushes there.
        if (ch === '\f' || ncells === 1) flush();
      }
    } else {
      cell += ch;
    }
  }
  flush();
  return out;
}
