/**
 * How a fleet knows its tokens: a marker in the token's description naming the fleet, the entry
 * and the kind (GitLab 17.7+ keeps descriptions). Only a token with this fleet's marker is
 * managed; a token without it is never changed or revoked, whatever its name. The marker holds
 * no secret. It is not the request marker of util/marker.ts (12 hex digits), which every create
 * request appends after it to prove which request made a token after a lost reply.
 */

export interface FleetMark {
  fleet: string;
  entry: string;
  kind: string;
}

const MARK =
  /\[create-gitlab-token fleet=([a-z0-9][a-z0-9-]*) entry=([a-z0-9][a-z0-9-]*) kind=([a-z0-9][a-z0-9-]*)\]/;

/** The description a fleet's token is made with. */
export function fleetMarker(mark: FleetMark): string {
  return `[create-gitlab-token fleet=${mark.fleet} entry=${mark.entry} kind=${mark.kind}]`;
}

/** The fleet marker in a description, if any. */
export function readFleetMarker(description: string | null | undefined): FleetMark | undefined {
  const match = typeof description === 'string' ? MARK.exec(description) : null;
  return match ? { fleet: match[1], entry: match[2], kind: match[3] } : undefined;
}

/** What a fleet's CI/CD variable descriptions say about the token they hold. */
export function storeNoteAbout(fleet: string, entry: string): string {
  return `fleet ${fleet} entry ${entry}`;
}
