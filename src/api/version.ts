/**
 * API versions (docker-engine.md §15.3): paths may carry `/v<major>.<minor>`; without a prefix
 * the daemon's default applies. Outside [1.24, default] → 400 with Docker's texts.
 */
import { invalidParameter } from '../core/errors.js';

export const MIN_API_VERSION = '1.24';
export const DEFAULT_API_VERSION = '1.50';
export const ENGINE_VERSION = '28.2.2';

/** Docker's versions.compare: dot-separated numeric parts, missing parts are 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.parseInt(pa[i] ?? '0', 10) || 0;
    const y = Number.parseInt(pb[i] ?? '0', 10) || 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export const versionLess = (a: string, b: string) => compareVersions(a, b) < 0;
export const versionAtLeast = (a: string, b: string) => compareVersions(a, b) >= 0;

/** Splits `/v1.45/networks` into `1.45` and `/networks`; unversioned paths return undefined. */
export function splitVersion(path: string): { version: string | undefined; rest: string } {
  const m = /^\/v([0-9.]+)(\/.*)?$/.exec(path);
  if (!m) return { version: undefined, rest: path };
  return { version: m[1], rest: m[2] ?? '/' };
}

/**
 * The newest path version accepted for a daemon whose version is `max`: the default profile
 * also takes `/v1.51` (the issue asks for 1.24–1.51, so clients pinned to Engine 28.3's API
 * work); the legacy profile is as strict as its Engine.
 */
export function acceptedMax(max: string): string {
  return max === DEFAULT_API_VERSION ? '1.51' : max;
}

/** The version middleware's check (api/server/middleware/version.go). */
export function checkVersion(version: string, max: string): void {
  if (versionLess(version, MIN_API_VERSION)) {
    throw invalidParameter(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  if (compareVersions(version, acceptedMax(max)) > 0) {
    throw invalidParameter(`client version ${version} is too new. Maximum supported API version is ${max}`);
  }
}
