/**
 * Images: the simulated catalogue (src/engine/images.ts) inspects and lists like images — one
 * image per repository, its tags aliases — and a pull answers honestly: the simulated images
 * are "up to date", anything else fails naming what exists. Volumes and plugins do not exist
 * (404s that `docker inspect` walks past, docker-engine.md §16.4).
 */
import { conflict, EngineError, invalidParameter, notFound } from '../../core/errors.js';
import { allImages, availableImages, findImage, isBuiltInImage, normalizeImageRef, untagImage, type SimImage } from '../../engine/images.js';
import { imageDigest, sortedObject } from '../../engine/inspect.js';
import type { PlainResponse } from '../contract.js';
import { imageId } from '../core.js';
import { jsonBody, jsonResponse } from '../errors.js';
import { labelMatches, parseFilters, validateFilterKeys } from '../filters.js';
import type { Route, RouteContext } from '../router.js';

/** A fixed creation time: the simulated images have no build history. */
const IMAGE_CREATED = '2025-06-01T00:00:00Z';
const IMAGE_CREATED_UNIX = 1748736000;
const IMAGE_LABELS = { 'org.crosstalk.simulated': 'true' };

/**
 * The images this daemon has: the whole catalogue in the simulator; on the real data plane only
 * those with a root filesystem (the built-in busybox ones, loaded and imported images), as a
 * Docker host has only the images it pulled.
 */
export function localImages(ctx: RouteContext): SimImage[] {
  return allImages().filter((i) => isLocal(ctx, i));
}

/** Does this daemon have the image (see localImages)? One check, for the paths that know which image. */
export function isLocal(ctx: RouteContext, image: SimImage | undefined): image is SimImage {
  const real = ctx.core.real;
  return !!image && (!real || real.hasImage(`${image.repository}:${image.tags[0]}`));
}

function byRef(ctx: RouteContext, ref: string): SimImage | undefined {
  const hex = ref.replace(/^sha256:/, '');
  if (/^[0-9a-f]{6,64}$/.test(hex)) {
    const hit = localImages(ctx).find((i) => imageDigest(i.repository).startsWith(hex));
    if (hit) return hit;
  }
  const found = findImage(ref);
  return isLocal(ctx, found) ? found : undefined;
}

function repoTags(i: SimImage): string[] {
  return i.tags.map((t) => `${i.repository}:${t}`);
}

function imageConfig(i: SimImage): Record<string, unknown> {
  return {
    Env: [...i.env],
    Cmd: [...i.cmd],
    Entrypoint: i.entrypoint.length ? [...i.entrypoint] : null,
    ...(i.exposedPorts.length ? { ExposedPorts: Object.fromEntries(i.exposedPorts.map((p) => [p, {}])) } : {}),
    Labels: { ...IMAGE_LABELS },
    WorkingDir: '',
    User: '',
    Volumes: null,
    OnBuild: null,
  };
}

function inspect(ctx: RouteContext): PlainResponse {
  const name = ctx.params.name;
  const i = byRef(ctx, name);
  if (!i) throw notFound(`No such image: ${normalizeImageRef(name)}`);
  return jsonResponse(200, {
    Id: imageId(i.repository),
    RepoTags: repoTags(i),
    RepoDigests: [],
    Parent: '',
    Comment: 'crosstalk simulated image: no filesystem; its programs are simulated (busybox applets and the image program)',
    Created: IMAGE_CREATED,
    DockerVersion: '',
    Author: '',
    Config: imageConfig(i),
    Architecture: ctx.core.info.arch ?? 'amd64',
    Os: 'linux',
    Size: 0,
    GraphDriver: { Data: null, Name: 'crosstalk-sim' },
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  });
}

function list(ctx: RouteContext): PlainResponse {
  const filters = parseFilters(ctx.query.get('filters'));
  validateFilterKeys(filters, ['before', 'dangling', 'label', 'reference', 'since', 'until']);
  const refMatch = (i: SimImage, pattern: string) => {
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
    return repoTags(i).some((t) => re.test(t)) || re.test(i.repository);
  };
  const body = localImages(ctx).filter(
    (i) =>
      (!filters.reference?.length || filters.reference.some((r) => refMatch(i, r))) &&
      (!filters.dangling?.length || filters.dangling.every((d) => d === 'false' || d === '0')) &&
      (!filters.label?.length || filters.label.every((l) => labelMatches(IMAGE_LABELS, l))),
  ).map((i) => ({
    Containers: -1,
    Created: IMAGE_CREATED_UNIX,
    Id: imageId(i.repository),
    Labels: sortedObject(IMAGE_LABELS),
    ParentId: '',
    RepoDigests: [],
    RepoTags: repoTags(i),
    SharedSize: -1,
    Size: 0,
  }));
  return jsonResponse(200, body);
}

/** `docker pull` / the pull in `docker run`: an honest answer, no registry behind it. */
function pull(ctx: RouteContext): PlainResponse {
  const from = ctx.query.get('fromImage');
  const tag = ctx.query.get('tag');
  if (ctx.query.get('fromSrc') !== '') throw notFound('crosstalk cannot import images (fromSrc); the images it simulates are: ' + availableImages());
  const ref = tag === '' ? from : tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`;
  const normalized = normalizeImageRef(ref);
  const image = findImage(ref);
  if (ctx.core.real && !isLocal(ctx, image)) {
    const have = localImages(ctx).map((i) => i.repository).join(', ');
    throw notFound(`pull access denied for ${normalized.split(':')[0]}: crosstalk's linux data plane has no registry; it runs ${have} and what docker load or crosstalk image import adds`);
  }
  if (!image) {
    throw notFound(`pull access denied for ${normalized.split(':')[0]}: crosstalk's simulated data plane has no registry; the images it simulates are: ${availableImages()}`);
  }
  const t = normalized.split(':')[1] ?? 'latest';
  const lines = [
    { status: `Pulling from library/${image.repository}`, id: t },
    { status: `Digest: ${imageId(image.repository)}` },
    { status: `Status: Image is up to date for ${normalized}` },
  ];
  return { kind: 'plain', status: 200, headers: { 'Content-Type': 'application/json' }, body: lines.map(jsonBody).join('') };
}

/**
 * `docker load`: the real data plane turns each image of a `docker save` archive into a rootfs
 * (the daemon's server saved the body to a file). The answer is Docker's JSON message stream.
 */
async function load(ctx: RouteContext): Promise<PlainResponse> {
  if (!ctx.core.real) {
    throw invalidParameter("crosstalk's simulated data plane has no filesystem to load images into: docker load needs the real data plane (crosstalkd --data-plane linux)");
  }
  const file = ctx.req.bodyFile;
  if (!file) throw invalidParameter('no archive in the request body: send the tar that docker save writes');
  let refs: string[];
  try {
    refs = await ctx.core.real.loadImages(file);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw invalidParameter((err as Error).message);
  }
  return { kind: 'plain', status: 200, headers: { 'Content-Type': 'application/json' }, body: refs.map((r) => jsonBody({ stream: `Loaded image: ${r}\n` })).join('') };
}

/**
 * `docker rmi`: on the real plane an imported or loaded image loses the tag, and its files go with
 * its last tag. Built-in images cannot be removed; an image that a container (in any state) runs
 * from cannot either, even with force: its root filesystem is that container's lower layer.
 */
function remove(ctx: RouteContext): PlainResponse {
  const ref = ctx.params.name;
  const image = byRef(ctx, ref);
  if (!image) throw notFound(`No such image: ${normalizeImageRef(ref)}`);
  const real = ctx.core.real;
  if (!real || isBuiltInImage(image)) {
    throw conflict(`crosstalk: ${image.repository} is a built-in image (${real ? "the machine's static busybox" : 'simulated'}) and cannot be removed`);
  }
  const id = imageId(image.repository);
  const users = ctx.core.read((e) => e.listContainers().filter((c) => findImage(c.image) === image));
  if (users.length) {
    const c = users[0];
    throw conflict(
      c.status === 'running'
        ? `conflict: unable to delete ${id.slice(7, 19)} (cannot be forced) - image is being used by running container ${c.id.slice(0, 12)}`
        : `conflict: unable to remove repository reference "${normalizeImageRef(ref)}" (must force) - container ${c.id.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`,
    );
  }
  const tags = /^(sha256:)?[0-9a-f]{6,64}$/.test(ref) ? [...image.tags] : [normalizeImageRef(ref).slice(image.repository.length + 1)];
  const body: Array<Record<string, string>> = [];
  let gone = false;
  for (const tag of tags) {
    body.push({ Untagged: `${image.repository}:${tag}` });
    gone = untagImage(image.repository, tag);
  }
  if (gone) {
    real.removeImage(image);
    body.push({ Deleted: id });
  } else {
    real.retagImage(image);
  }
  return jsonResponse(200, body);
}

/** `docker image prune`: nothing is ever dangling here; `-a` removes the loaded/imported images no container uses. */
function prune(ctx: RouteContext): PlainResponse {
  const filters = parseFilters(ctx.query.get('filters'));
  validateFilterKeys(filters, ['dangling', 'label', 'until']);
  const all = (filters.dangling ?? []).some((d) => d === 'false' || d === '0');
  const real = ctx.core.real;
  const deleted: Array<Record<string, string>> = [];
  if (all && real) {
    const used = new Set(ctx.core.read((e) => e.listContainers().map((c) => findImage(c.image))));
    for (const image of localImages(ctx).filter((i) => !isBuiltInImage(i) && !used.has(i))) {
      const id = imageId(image.repository);
      for (const tag of [...image.tags]) {
        deleted.push({ Untagged: `${image.repository}:${tag}` });
        untagImage(image.repository, tag);
      }
      real.removeImage(image);
      deleted.push({ Deleted: id });
    }
  }
  return jsonResponse(200, { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 });
}

function volume(ctx: RouteContext): PlainResponse {
  throw notFound(`get ${ctx.params.name}: no such volume`);
}

function volumes(): PlainResponse {
  return jsonResponse(200, { Volumes: [], Warnings: null });
}

function plugin(ctx: RouteContext): PlainResponse {
  throw notFound(`plugin "${ctx.params.name}" not found`);
}

export const IMAGE_ROUTES: Route[] = [
  { method: 'GET', path: '/images/json', handler: list },
  { method: 'POST', path: '/images/create', handler: pull },
  { method: 'POST', path: '/images/load', handler: load },
  { method: 'POST', path: '/images/prune', handler: prune },
  { method: 'DELETE', path: '/images/{name:.*}', handler: remove },
  { method: 'GET', path: '/images/{name:.*}/json', handler: inspect },
  { method: 'GET', path: '/volumes', handler: volumes },
  { method: 'GET', path: '/volumes/{name:.*}', handler: volume },
  { method: 'GET', path: '/plugins/{name:.*}/json', handler: plugin },
];
