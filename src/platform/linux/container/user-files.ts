/**
 * The container's own /etc/passwd and /etc/group, read where Docker reads them: in the
 * container's filesystem. Before a start that is the writable layer over the image (a whiteout
 * in the layer hides the image's file); for a running container, its root through /proc.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveExecUser, type ExecUser } from '../../../core/exec-user.js';

/** The file at `path` in the first of `layers` (top first) that has it; undefined if none does or a whiteout hides it. */
function readLayered(layers: string[], path: string): string | undefined {
  for (const layer of layers) {
    let st;
    try {
      st = lstatSync(join(layer, path));
    } catch {
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined; // overlayfs whiteout
    try {
      return readFileSync(join(layer, path), 'utf8');
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `spec` (`--user`) resolved in the files of these layers (top first). Throws Docker's texts. */
export function execUserIn(layers: string[], spec: string): ExecUser {
  return resolveExecUser(spec, readLayered(layers, 'etc/passwd'), readLayered(layers, 'etc/group'));
}
