/**
 * The marker a create request leaves in its token's description (GitLab 17.7+ keeps it), which
 * proves later which request made the token (tokens/identity.ts). Only its format is here.
 */
import { randomBytes } from 'node:crypto';

const MARKER = /\[create-gitlab-token ([0-9a-f]{12})\]/;

/** A new marker for one request. */
export function newMarker(): string {
  return randomBytes(6).toString('hex');
}

/** The description sent with a create request: the user's, then the marker. */
export function describedWith(description: string | undefined, marker: string): string {
  const tag = `[create-gitlab-token ${marker}]`;
  return description ? `${description} ${tag}` : tag;
}

/** Characters the marker adds to a description (checked against GitLab's 255). */
export const MARKER_LENGTH = describedWith('', '0'.repeat(12)).length + 1;

/** The marker in a description, if any. */
export function markerIn(description: string | null | undefined): string | undefined {
  return typeof description === 'string' ? MARKER.exec(description)?.[1] : undefined;
}

/** The user's part of a description: what they wrote, without our marker. */
export function userDescription(description: string | null | undefined): string {
  return (description ?? '').replace(MARKER, '').trim();
}
