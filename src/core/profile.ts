/**
 * Which Docker behaviour to reproduce. `default` is Engine 28.2 (API 1.50); `legacy` reproduces
 * the Engine 24–27 differences that older transcripts show (docker-engine.md §0.3).
 * Subsystems take the profile instead of scattering version checks.
 */
export type ProfileName = 'default' | 'legacy';

export interface EngineProfile {
  readonly name: ProfileName;
  readonly engineVersion: string;
  readonly apiVersion: string;
  /** Container MAC: random locally administered, or 02:42 + IPv4 bytes. */
  readonly macScheme: 'random' | 'ipv4-derived';
  /** Dynamic subnet choice: lowest-free (27+) or rotating start index (24–26). */
  readonly subnetSelection: 'lowest-free' | 'rotating';
  /** `network rm` of an in-use network: the 28.1+ text listing endpoints, or the older one. */
  readonly activeEndpointsError: 'listing' | 'id';
  /** Network JSON carries EnableIPv4 (API 1.48+). */
  readonly enableIPv4Field: boolean;
}

export const DEFAULT_PROFILE: EngineProfile = Object.freeze({
  name: 'default',
  engineVersion: '28.2.2',
  apiVersion: '1.50',
  macScheme: 'random',
  subnetSelection: 'lowest-free',
  activeEndpointsError: 'listing',
  enableIPv4Field: true,
});

/**
 * Legacy = Engine 26 (the newest engine with all the walk-through's behaviours: IPv4-derived
 * MACs and the rotating subnet index). docs/decisions.md records this choice.
 */
export const LEGACY_PROFILE: EngineProfile = Object.freeze({
  name: 'legacy',
  engineVersion: '26.1.5',
  apiVersion: '1.45',
  macScheme: 'ipv4-derived',
  subnetSelection: 'rotating',
  activeEndpointsError: 'id',
  enableIPv4Field: false,
});

export function profileByName(name: string): EngineProfile {
  if (name === 'default' || name === '28' || name === '28.2') return DEFAULT_PROFILE;
  if (name === 'legacy') return LEGACY_PROFILE;
  throw new Error(`unknown compat profile "${name}" (expected "default" or "legacy")`);
}
