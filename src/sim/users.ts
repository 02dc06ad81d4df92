/**
 * Users in the simulated images: `--user` and `exec -u` are resolved in the image's own passwd and
 * group files (image-accounts), as Docker's daemon resolves them, so an unknown name fails the
 * same way on both data planes.
 */
import { resolveExecUser } from '../core/exec-user.js';
import { IMAGE_ACCOUNTS, type ImageAccounts } from '../engine/image-accounts.js';
import { findImage } from '../engine/images.js';
import type { ContainerRecord } from '../engine/model.js';

function accountsOf(c: ContainerRecord): ImageAccounts | undefined {
  const repo = findImage(c.image)?.repository;
  return repo === undefined ? undefined : IMAGE_ACCOUNTS[repo];
}

/**
 * Why `spec` cannot be resolved in the container's image files, in Docker's words; undefined
 * when it can, or when the simulator does not know the image's files.
 */
export function userProblem(c: ContainerRecord, spec: string): string | undefined {
  const accounts = accountsOf(c);
  if (!accounts) return undefined;
  try {
    resolveExecUser(spec, accounts.passwd, accounts.group);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * What `whoami` prints for `spec`: the passwd name of its uid, or busybox's complaint when the
 * uid has no entry. Without known image files a name is taken as given.
 */
export function whoami(c: ContainerRecord, spec: string): { name: string } | { unknownUid: number } {
  const accounts = accountsOf(c);
  const userPart = spec.split(':')[0];
  if (!accounts) {
    if (userPart === '' || /^0+$/.test(userPart)) return { name: 'root' };
    return /^\d+$/.test(userPart) ? { unknownUid: Number(userPart) } : { name: userPart };
  }
  let uid: number;
  try {
    uid = resolveExecUser(spec, accounts.passwd, accounts.group).uid;
  } catch {
    return { name: userPart }; // unreachable in practice: such a process never starts
  }
  const entry = accounts.passwd.split('\n').find((l) => l.split(':')[2] === String(uid));
  return entry ? { name: entry.split(':')[0] } : { unknownUid: uid };
}
