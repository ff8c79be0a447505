/**
 * GitHub's size limits, checked before any request: a step whose outputs cannot fit would make
 * tokens and then lose them (GitHub drops outputs over its limit), so it fails from the inputs.
 */
import type { NewToken } from '../tokens/make.js';
import type { TokenRequestInputs } from '../inputs/request.js';
import { firstTokenOutputs, tokenOutputs } from '../tokens/outputs.js';

/** GitHub keeps at most 1 MB of outputs per job. */
export const OUTPUTS_LIMIT_BYTES = 1_000_000;
/** GitHub shows at most 1 MiB of job summary per step. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** The longest secret GitLab returns (glpat- tokens, routable ones included, are shorter). */
export const MAX_TOKEN_LENGTH = 80;

/** What decides the size of the outputs: how many tokens, their name and scopes. */
export type OutputRequest = Pick<TokenRequestInputs, 'targets' | 'name' | 'scopes'> &
  Partial<Pick<TokenRequestInputs, 'groupId' | 'targetInput'>>;

/**
 * Bytes the runner's file command adds around each output: `name<<ghadelimiter_<uuid>`, the
 * value, the delimiter again, and line breaks.
 */
const PER_OUTPUT_OVERHEAD = 2 * 'ghadelimiter_00000000-0000-0000-0000-000000000000'.length + 8;

/** The largest token GitLab could return for this request: every field at its longest. */
function largestToken(request: OutputRequest): NewToken {
  const userId = Number.MAX_SAFE_INTEGER;
  // The longest `target` any request could output, under the longest `type`.
  const longest = request.targets.reduce((found, ref) => {
    const path = ref.projectId ?? ref.groupId ?? '';
    return path.length > found.length ? path : found;
  }, request.groupId ?? '');
  return {
    target: { kind: 'service-account', userId, groupId: longest },
    token: {
      id: Number.MAX_SAFE_INTEGER,
      user_id: Number.MAX_SAFE_INTEGER,
      name: request.name,
      scopes: request.scopes,
      token: 'x'.repeat(MAX_TOKEN_LENGTH),
      expires_at: '9999-12-31',
      created_at: '9999-12-31T23:59:59.999+00:00',
      revoked: false,
      active: true,
      last_used_at: null,
    },
  };
}

function outputBytes(name: string, value: string): number {
  return Buffer.byteLength(name) + Buffer.byteLength(value) + PER_OUTPUT_OVERHEAD;
}

/** The size of one entry of the `tokens` output (with its comma), and of everything else. */
function outputSizes(request: OutputRequest): { perToken: number; fixed: number } {
  const sample = largestToken(request);
  // `,"access_level":50` for project and group access tokens.
  const accessLevel = 18;
  const perToken = Buffer.byteLength(JSON.stringify(tokenOutputs([sample]))) - 2 + 1 + accessLevel;
  const single = Object.entries(firstTokenOutputs([sample])).reduce(
    (sum, [name, value]) => sum + outputBytes(name, value),
    0,
  );
  return { perToken, fixed: single + outputBytes('tokens', '[]') };
}

/** The largest the step's outputs can be for this request, in bytes: an upper bound. */
export function estimateOutputBytes(request: OutputRequest): number {
  const { perToken, fixed } = outputSizes(request);
  return fixed + perToken * request.targets.length;
}

/** How many tokens fit within GitHub's outputs limit with this name and these scopes. */
export function maxUsersWithinOutputLimit(request: Omit<OutputRequest, 'targets'>): number {
  const { perToken, fixed } = outputSizes({ targets: [], ...request });
  return Math.max(0, Math.floor((OUTPUTS_LIMIT_BYTES - fixed) / perToken));
}

/** A message naming the problem when the outputs could exceed GitHub's limit; else undefined. */
export function outputLimitProblem(request: OutputRequest): string | undefined {
  const bytes = estimateOutputBytes(request);
  if (bytes <= OUTPUTS_LIMIT_BYTES) return undefined;
  const fit = maxUsersWithinOutputLimit(request);
  const kB = (value: number): string => `${Math.ceil(value / 1000)} kB`;
  return (
    `${request.targetInput ?? 'user-id'}: ${request.targets.length} tokens would make outputs of up to ${kB(bytes)} ` +
    `(a name of ${[...request.name].length} characters, ${request.scopes.length} scopes), over ` +
    `GitHub's limit of ${kB(OUTPUTS_LIMIT_BYTES)} of outputs per job, so the tokens could not be ` +
    `handed on. At most ${fit} fit with this name and these scopes: split them over ` +
    `several jobs, or shorten the name. Nothing was sent to GitLab.`
  );
}
