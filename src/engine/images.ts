/**
 * The simulated image catalogue. Only these images "exist"; each has Docker Hub's default
 * command and, for servers, the ports its default command listens on, so the simulator knows
 * what answers where.
 */
export interface SimImage {
  /** Repository name as users type it (`nginx`), tags accepted from `tags`. */
  repository: string;
  tags: string[];
  cmd: string[];
  entrypoint: string[];
  exposedPorts: string[];
  env: string[];
  /** The image's WORKDIR and USER (loaded images); the built-in ones have neither. */
  workingDir?: string;
  user?: string;
  /** Exit code when stopped by `docker stop` (shells as PID 1 ignore SIGTERM → SIGKILL). */
  stopExitCode: number;
}

export const SIM_IMAGES: SimImage[] = [
  { repository: 'alpine', tags: ['latest', '3', '3.20', '3.21', '3.22'], cmd: ['/bin/sh'], entrypoint: [], exposedPorts: [], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 137 },
  { repository: 'busybox', tags: ['latest', 'stable', 'musl', 'glibc'], cmd: ['sh'], entrypoint: [], exposedPorts: [], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 137 },
  { repository: 'nginx', tags: ['latest', 'alpine', 'stable', 'stable-alpine'], cmd: ['nginx', '-g', 'daemon off;'], entrypoint: ['/docker-entrypoint.sh'], exposedPorts: ['80/tcp'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 0 },
  { repository: 'python', tags: ['latest', '3', '3-alpine', '3.12', '3.12-alpine', '3.13-alpine'], cmd: ['python3'], entrypoint: [], exposedPorts: [], env: ['PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 137 },
  { repository: 'node', tags: ['latest', '20', '20-alpine', '22-alpine', 'lts-alpine'], cmd: ['node'], entrypoint: ['docker-entrypoint.sh'], exposedPorts: [], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 137 },
  { repository: 'postgres', tags: ['latest', '16', '17', '16-alpine'], cmd: ['postgres'], entrypoint: ['docker-entrypoint.sh'], exposedPorts: ['5432/tcp'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 0 },
  { repository: 'redis', tags: ['latest', 'alpine', '7', '7-alpine'], cmd: ['redis-server'], entrypoint: ['docker-entrypoint.sh'], exposedPorts: ['6379/tcp'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], stopExitCode: 0 },
];

/** `alpine` → `alpine:latest`; strips `docker.io/library/`. */
export function normalizeImageRef(ref: string): string {
  let r = ref.replace(/^docker\.io\//, '').replace(/^library\//, '');
  if (!/:[^/]+$/.test(r) && !r.includes('@')) r += ':latest';
  return r;
}

/** Images added at run time (`crosstalk image import` on the real data plane). */
const IMPORTED: SimImage[] = [];

/** Makes an imported image known (replacing one of the same repository). */
export function registerImage(image: SimImage): void {
  const at = IMPORTED.findIndex((i) => i.repository === image.repository);
  if (at >= 0) IMPORTED.splice(at, 1);
  IMPORTED.push(image);
}

/** Forgets one tag of an imported image; the whole image when it was its last. True when the image is gone. */
export function untagImage(repository: string, tag: string): boolean {
  const at = IMPORTED.findIndex((i) => i.repository === repository);
  if (at < 0) return false;
  const image = IMPORTED[at];
  image.tags = image.tags.filter((t) => t !== tag);
  if (image.tags.length > 0) return false;
  IMPORTED.splice(at, 1);
  return true;
}

/** Is this one of the catalogue's own images (not imported or loaded)? */
export function isBuiltInImage(image: SimImage): boolean {
  return SIM_IMAGES.includes(image);
}

/** The built-in catalogue, then imported images. */
export function allImages(): SimImage[] {
  return [...SIM_IMAGES, ...IMPORTED];
}

export function findImage(ref: string): SimImage | undefined {
  const [repository, tag] = normalizeImageRef(ref).split(':');
  return allImages().find((i) => i.repository === repository && i.tags.includes(tag));
}

export function availableImages(): string {
  return allImages().map((i) => `${i.repository} (${i.tags.join(', ')})`).join('; ');
}
