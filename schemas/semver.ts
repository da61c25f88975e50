// SemVer 2.0.0 parsing and precedence (https://semver.org/spec/v2.0.0.html §11), for
// the few places that compare versions: features' ociVersionMin/Max, ociVersion's major.
import { SEMVER_PATTERN } from './types.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const RE = new RegExp(SEMVER_PATTERN);

export function parseSemVer(text: string): SemVer | undefined {
  if (!RE.test(text)) return undefined;
  const core = text.split('+')[0]!;
  const dash = core.indexOf('-');
  const [major, minor, patch] = (dash < 0 ? core : core.slice(0, dash)).split('.').map(Number) as [number, number, number];
  return { major, minor, patch, prerelease: dash < 0 ? [] : core.slice(dash + 1).split('.') };
}

/** Negative, zero or positive as a has lower, equal or higher precedence than b (build metadata ignored). */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k];
  // A version with a pre-release has lower precedence than the release itself.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i]!;
    const y = b.prerelease[i]!;
    if (x === y) continue;
    const xn = /^[0-9]+$/.test(x);
    const yn = /^[0-9]+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1; // numeric identifiers sort before alphanumeric ones
    return x < y ? -1 : 1;
  }
  return a.prerelease.length - b.prerelease.length;
}
