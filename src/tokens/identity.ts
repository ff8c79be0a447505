/**
 * How a run proves that a token is its own. Each create request carries a marker that GitLab
 * stores in the token's description (17.7+) and lists back; where GitLab drops descriptions,
 * only a name this run generated (unique to the step: run, attempt, job, random suffix) proves it.
 * A token that nothing proves is never revoked: it is named in a warning instead.
 */
import type { PersonalAccessToken } from '../gitlab/token.js';
import { markerIn } from '../util/marker.js';

export function markerOf(token: PersonalAccessToken): string | undefined {
  return markerIn(token.description);
}

export interface Proof {
  /** markers of this run's requests for this target and name */
  markers: ReadonlySet<string>;
  /** the name was generated for this step, so any token with it was made by this step */
  uniqueName: boolean;
  /** tokens this run made and reports (kept) */
  kept: ReadonlySet<number>;
}

/**
 * True only when the token is provably made by one of this run's requests, and not one it kept.
 * A marker decides where there is one; a GitLab that keeps descriptions would have kept ours, so
 * a token without our marker there is not ours; only where GitLab keeps none (before 17.7, the
 * key is absent) does the step's unique name prove it.
 */
export function provenOurs(token: PersonalAccessToken, proof: Proof): boolean {
  if (proof.kept.has(token.id)) return false;
  const marker = markerOf(token);
  if (marker !== undefined) return proof.markers.has(marker);
  if (token.description !== undefined) return false;
  return proof.uniqueName;
}
