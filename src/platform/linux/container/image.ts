/**
 * Real images for the Linux runtime: a busybox rootfs built from the machine's static busybox
 * (no registry needed), and rootfs tarballs imported with tar.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUSYBOX_ACCOUNTS } from '../../../engine/image-accounts.js';

const BUSYBOX = '/bin/busybox';

/** True when the ELF file has no PT_INTERP program header (no dynamic loader needed). */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) return false; // "\x7fELF"
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (u32(ph, i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}

/**
 * Builds `<imagesDir>/busybox/rootfs` once (idempotent; built in a temp dir and renamed into
 * place, so a crash never leaves half an image) and returns the rootfs path.
 */
export function ensureBusyboxImage(imagesDir: string): string {
  const imageDir = join(imagesDir, 'busybox');
  const rootfs = join(imageDir, 'rootfs');
  if (existsSync(join(rootfs, 'bin', 'busybox'))) return rootfs;
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} not found: install Debian's busybox-static package (apt-get install busybox-static)`);
  // A dynamically linked busybox would need the host's libc inside the container's rootfs.
  if (!isStaticElf(BUSYBOX)) throw new Error(`${BUSYBOX} is dynamically linked: install Debian's busybox-static package (apt-get install busybox-static) to get a statically linked busybox for the image`);
  mkdirSync(imagesDir, { recursive: true });
  const tmp = join(imagesDir, `.busybox-${process.pid}-${Date.now()}`);
  const tmpRoot = join(tmp, 'rootfs');
  try {
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'dev', 'sys', 'tmp', 'root', 'var', 'home', 'run']) mkdirSync(join(tmpRoot, d), { recursive: true });
    chmodSync(join(tmpRoot, 'tmp'), 0o1777);
    chmodSync(join(tmpRoot, 'root'), 0o700);
    copyFileSync(BUSYBOX, join(tmpRoot, 'bin/busybox'));
    chmodSync(join(tmpRoot, 'bin/busybox'), 0o755);
    const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) {
      const path = join(tmpRoot, applet);
      if (existsSync(path)) continue;
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync('/bin/busybox', path); // absolute: resolved inside the container's root
    }
    // `env` is how tools (and Docker images) find programs; busybox provides it, make sure.
    if (!existsSync(join(tmpRoot, 'usr/bin/env'))) symlinkSync('/bin/busybox', join(tmpRoot, 'usr/bin/env'));
    writeFileSync(join(tmpRoot, 'etc/passwd'), BUSYBOX_ACCOUNTS.passwd);
    writeFileSync(join(tmpRoot, 'etc/group'), BUSYBOX_ACCOUNTS.group);
    // Bind-mount targets for the per-container files.
    for (const f of ['hosts', 'resolv.conf', 'hostname']) writeFileSync(join(tmpRoot, 'etc', f), '');
    writeFileSync(join(tmp, 'image.json'), `${JSON.stringify({ name: 'busybox', source: BUSYBOX, env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], cmd: ['sh'] }, null, 2)}\n`);
    try {
      renameSync(tmp, imageDir);
    } catch (err) {
      // Another process won the race: its image is as good as ours.
      if (!existsSync(join(rootfs, 'bin', 'busybox'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return rootfs;
}

/** Extracts a rootfs tarball into `<imagesDir>/<name>/rootfs` (atomically) and returns that path. */
export function importRootfsTar(imagesDir: string, name: string, tarPath: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new Error(`invalid image name: ${name}`);
  const imageDir = join(imagesDir, name);
  const tmp = join(imagesDir, `.${name}-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(join(tmp, 'rootfs'), { recursive: true });
    // --numeric-owner: the tarball's uids are the container's, not names in the host's passwd.
    tar(['-x', '-f', tarPath, '-C', join(tmp, 'rootfs')]);
    rmSync(imageDir, { recursive: true, force: true });
    renameSync(tmp, imageDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(imageDir, 'rootfs');
}

/** An image of a `docker save` archive, as loaded: its tags and the parts of its config we use. */
export interface LoadedImage {
  /** `repo:tag` references (`docker save` writes them as RepoTags). */
  repoTags: string[];
  /** The rootfs the layers made, under `<imagesDir>/<dirName>/rootfs`. */
  dirName: string;
  config: { Cmd?: string[] | null; Entrypoint?: string[] | null; Env?: string[] | null; ExposedPorts?: Record<string, unknown> | null; WorkingDir?: string | null; User?: string | null };
}

/** Where an image repository's files live under the images dir (`demo/app` → `demo_app`). */
export function imageDirName(repository: string): string {
  return repository.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

interface ManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/** `tar` with the archive's uids kept (they are the container's, not names in the host's passwd). */
function tar(args: string[]): string {
  return execFileSync('tar', ['--numeric-owner', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Applies one layer (a tar, compressed or not) on top of a rootfs, as Docker's overlay does:
 * first its whiteouts (`.wh.NAME` deletes NAME from the layers below, `.wh..wh..opq` empties its
 * directory of them), then its files, each replacing what the layers below have at its path (a
 * directory is kept for a directory). It runs chrooted into the rootfs (the layer file is opened
 * first), so the image's own symlinks — `/var/run -> /run`, or a malicious `etc -> /etc` of a
 * lower layer — resolve inside it and nothing outside can be written. Device nodes are skipped:
 * containers here have no device cgroup to fence them.
 */
const APPLY_LAYER_PY = `
import os, shutil, sys, tarfile, gzip, bz2, lzma
root, layer = sys.argv[1], sys.argv[2]
f = open(layer, 'rb')
# Relative paths below: even without the chroot, nothing outside the rootfs would be named.
os.chdir(root)
os.chroot('.')
if not os.path.samefile('/', '.'):
    sys.exit('not chrooted into the rootfs')

def remove(p):
    shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)

with tarfile.open(fileobj=f, mode='r:*') as t:
    keep = []
    for m in t.getmembers():
        name = m.name
        while name.startswith('./'):
            name = name[2:]
        name = './' + name.lstrip('/')
        d, _, base = name.rpartition('/')
        if base == '.wh..wh..opq':
            if os.path.isdir(d) and not os.path.islink(d):
                for e in os.listdir(d):
                    remove(os.path.join(d, e))
        elif base.startswith('.wh.'):
            if os.path.lexists(os.path.join(d, base[4:])):
                remove(os.path.join(d, base[4:]))
        elif not (m.ischr() or m.isblk()):
            keep.append((m, name))
    kw = {'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}
    for m, p in keep:
        # What a lower layer has at this path is replaced (a directory only by a non-directory).
        if p != './' and os.path.lexists(p) and not (m.isdir() and os.path.isdir(p) and not os.path.islink(p)):
            remove(p)
        t.extract(m, '.', numeric_owner=True, **kw)
`;

function applyLayer(rootfs: string, layerTar: string): void {
  try {
    execFileSync('python3', ['-S', '-c', APPLY_LAYER_PY, rootfs, layerTar], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const why = ((err as { stderr?: Buffer }).stderr?.toString() ?? String(err)).trim().split('\n').pop();
    throw new Error(`a layer could not be applied (${layerTar.split('/').slice(-1)[0]}): ${why}`);
  }
}

/**
 * Loads a `docker save` archive (legacy layout or Docker 25+'s OCI layout, both with
 * manifest.json): each image's layers become `<imagesDir>/<repo>/rootfs`, built in a temp dir and
 * renamed into place. Nothing is replaced when any image of the archive fails.
 */
export function loadDockerArchive(imagesDir: string, archivePath: string, refuse: (repoTag: string) => string | undefined): LoadedImage[] {
  mkdirSync(imagesDir, { recursive: true });
  const work = join(imagesDir, `.load-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(join(work, 'archive'), { recursive: true });
    try {
      tar(['-xf', archivePath, '-C', join(work, 'archive')]);
    } catch (err) {
      throw new Error(`the archive is not a tar file: ${((err as { stderr?: string }).stderr ?? String(err)).trim().split('\n')[0]}`);
    }
    const manifestPath = join(work, 'archive', 'manifest.json');
    if (!existsSync(manifestPath)) throw new Error('the archive has no manifest.json: is it from docker save?');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestEntry[];
    if (!Array.isArray(manifest) || manifest.length === 0) throw new Error('manifest.json lists no image');
    const inArchive = (p: string) => {
      if (typeof p !== 'string' || p.startsWith('/') || p.split('/').includes('..')) throw new Error(`manifest.json: unsafe path ${String(p)}`);
      const full = join(work, 'archive', p);
      if (!existsSync(full)) throw new Error(`manifest.json names ${p}, which the archive does not have`);
      return full;
    };
    const loaded: Array<LoadedImage & { built: string }> = [];
    manifest.forEach((m, i) => {
      const repoTags = (m.RepoTags ?? []).map((t) => (/:[^/]+$/.test(t) ? t : `${t}:latest`));
      if (repoTags.length === 0) throw new Error('an image of the archive has no tag (RepoTags): crosstalk names loaded images by their tags');
      const repos = new Set(repoTags.map((t) => t.slice(0, t.lastIndexOf(':'))));
      if (repos.size > 1) throw new Error(`an image with several repositories (${[...repos].join(', ')}) is not supported`);
      for (const t of repoTags) {
        const why = refuse(t);
        if (why) throw new Error(why);
      }
      const config = JSON.parse(readFileSync(inArchive(m.Config), 'utf8')) as { config?: LoadedImage['config'] };
      const built = join(work, `image-${i}`);
      mkdirSync(join(built, 'rootfs'), { recursive: true });
      for (const layer of m.Layers ?? []) applyLayer(join(built, 'rootfs'), inArchive(layer));
      // Bind-mount targets of the per-container files.
      mkdirSync(join(built, 'rootfs', 'etc'), { recursive: true });
      for (const f of ['hosts', 'resolv.conf', 'hostname']) if (!existsSync(join(built, 'rootfs', 'etc', f))) writeFileSync(join(built, 'rootfs', 'etc', f), '');
      loaded.push({ repoTags, dirName: imageDirName([...repos][0]), config: config.config ?? {}, built });
    });
    for (const l of loaded) {
      const dest = join(imagesDir, l.dirName);
      rmSync(dest, { recursive: true, force: true });
      renameSync(l.built, dest);
    }
    return loaded.map(({ built: _built, ...l }) => l);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
