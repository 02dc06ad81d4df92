/**
 * `--user` / `USER` / `docker exec -u` resolved the way Docker does it (moby/sys/user
 * GetExecUser, called by the daemon with the container's own /etc/passwd and /etc/group):
 * `name|uid[:group|gid]`; a numeric user or group needs no entry; a matched user name brings its
 * supplementary groups (only when no group is given). Pure text in, numbers out.
 */

export interface ExecUser {
  uid: number;
  gid: number;
  /** The primary gid first, then the supplementary ones (what Docker puts in AdditionalGids). */
  groups: number[];
  /**
   * HOME when the env lacks it: runc looks the final uid up again, so it is the home of the first
   * passwd entry with that uid, '/' without one.
   */
  home: string;
}

const MAX_ID = 2147483647;
const RANGE = 'uids and gids must be in range 0-2147483647';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Integer parse like Go's strconv.Atoi: optional sign, digits only. */
function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const f = raw.trim().split(':');
    if (f.length < 3 || f[0] === '') continue;
    out.push({ name: f[0], uid: atoi(f[2]) ?? 0, gid: atoi(f[3] ?? '') ?? 0, home: f[5] ?? '' });
  }
  return out;
}

function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const raw of text.split('\n')) {
    const f = raw.trim().split(':');
    if (f.length < 3 || f[0] === '') continue;
    out.push({ name: f[0], gid: atoi(f[2]) ?? 0, members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

/**
 * Resolves `spec` against the container's files (undefined = the file does not exist, as
 * Docker allows). Throws Docker's own texts: `unable to find user X: no matching entries in
 * passwd file`, `unable to find group G: no matching entries in group file`, the range error.
 */
export function resolveExecUser(spec: string, passwd: string | undefined, group: string | undefined): ExecUser {
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);
  const uidArg = atoi(userArg);
  const gidArg = atoi(groupArg);
  let uid = 0;
  let gid = 0;
  let matched: string | undefined;
  const entries = parsePasswd(passwd ?? '');
  const users = entries.filter((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  if (users.length > 0) {
    ({ uid, gid } = users[0]);
    matched = users[0].name;
  } else if (userArg !== '') {
    if (uidArg === undefined) throw new Error(`unable to find user ${userArg}: no matching entries in passwd file`);
    if (uidArg < 0 || uidArg > MAX_ID) throw new Error(RANGE);
    uid = uidArg;
  }
  let supplementary: number[] = [];
  if (groupArg !== '' || matched !== undefined) {
    const groups = parseGroup(group ?? '').filter((g) =>
      groupArg === '' ? g.members.includes(matched!) : gidArg !== undefined ? g.gid === gidArg : g.name === groupArg,
    );
    if (groupArg !== '') {
      if (groups.length > 0) gid = groups[0].gid;
      else if (gidArg === undefined) throw new Error(`unable to find group ${groupArg}: no matching entries in group file`);
      else if (gidArg < 0 || gidArg > MAX_ID) throw new Error(RANGE);
      else gid = gidArg;
    } else {
      supplementary = groups.map((g) => g.gid);
    }
  }
  const home = entries.find((u) => u.uid === uid)?.home || '/';
  return { uid, gid, groups: [gid, ...supplementary], home };
}
