/**
 * Real images for the Linux runtime: a busybox rootfs built from the machine's static busybox
 * (no registry needed), and rootfs tarballs imported with tar.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
    writeFileSync(join(tmpRoot, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n');
    writeFileSync(join(tmpRoot, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
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
    execFileSync('tar', ['-x', '--numeric-owner', '-f', tarPath, '-C', join(tmp, 'rootfs')], { stdio: ['ignore', 'ignore', 'pipe'] });
    rmSync(imageDir, { recursive: true, force: true });
    renameSync(tmp, imageDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(imageDir, 'rootfs');
}
