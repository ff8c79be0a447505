/**
 * Leak audit: over every failure path (bad inputs, each HTTP error, faults, the post step) neither
 * the credential nor any token appears in stdout, stderr, the state file or the job summary, except
 * on `::add-mask::` lines; GitLab's error bodies are scrubbed of anything shaped like a token; and
 * no input can start a `::` workflow command of its own.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, type FaultRule } from './simulator/gitlab-simulator.js';
import { expectNoSecretsIn, tokenSecrets, useSimulator } from './helpers/simulator-fixture.js';
import { commands, runMainStep, runPostStep, type StepResult } from './helpers/run-action.js';

/** A token-shaped string that GitLab (or a proxy) might echo in an error body. */
const ECHOED = 'glpat-FAKEechoed0000secret';
/** A credential with characters that JSON escaping changes, echoed back in a 401 body. */
const ODD_CREDENTIAL = 'FAKE"odd\\credential-0005';
/** A credential with the characters URL and base64 encodings change. */
const PLUS_CREDENTIAL = 'glpat-FAKE+plus/cred=0007';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const sim = useSimulator({
  seed: (s) => {
    s.addCredential(ODD_CREDENTIAL, 1, ['api']);
    s.addCredential(PLUS_CREDENTIAL, 1, ['api']);
  },
});
/** A redirect target on another host name. */
const elsewhere = useSimulator({ host: 'localhost' });

/** Lower case, without whitespace, invisible characters or escaped line breaks. */
function squash(text: string): string {
  return text
    .replace(/\\[nrt]|\\u[0-9a-f]{4}/gi, '')
    .replace(/[\s\u200b-\u200f\u2060\ufeff]/g, '')
    .toLowerCase();
}

/** The spellings a secret can be echoed in: URL-encoded, and base64 at each alignment. */
function spellings(secret: string): string[] {
  const base64 = [0, 1, 2].map((offset) =>
    Buffer.from(`${'u:'.slice(0, offset)}${secret}`)
      .toString('base64')
      .slice(offset === 0 ? 0 : offset + 1, -4),
  );
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), ...base64];
}

/** Every secret there is, in every spelling: the credentials, the echoed one, every token made. */
function expectClean(result: StepResult, credential = ADMIN_TOKEN): void {
  const secrets = [credential, ADMIN_TOKEN, ECHOED, ...tokenSecrets(sim, elsewhere)];
  expectNoSecretsIn(result, [credential, ADMIN_TOKEN, ECHOED], [sim, elsewhere]);
  const unmasked = [
    // What the runner shows of a workflow command: its data unescaped.
    ...result.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .map((line) =>
        line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%25/g, '%'),
      ),
    result.stderr,
    result.files.state,
    result.files.summary,
  ].map(squash);
  for (const text of unmasked) {
    // Nothing token-shaped that was never masked, anywhere.
    expect(text).not.toContain(squash(ECHOED));
    for (const secret of secrets) {
      for (const form of spellings(secret)) expect(text).not.toContain(squash(form));
    }
  }
}

const echoBody = (status: number, credential = ADMIN_TOKEN): { message: string } => ({
  message: `${status} refused: credential ${credential} (like ${ECHOED}) was not accepted`,
});

interface Case {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  faults?: FaultRule[];
  credential?: string;
  /** a fragment of the ::error:: annotation, proving the path was taken */
  error: string;
  /** text of the error body that must not be quoted */
  absent?: string[];
}

const POST: Pick<FaultRule, 'method' | 'pathPattern'> = {
  method: 'POST',
  pathPattern: /personal_access_tokens$/,
};

const mainCases: Record<string, Case> = {
  'bad user-id': { inputs: { 'user-id': 'no such thing!' }, error: 'user-id:' },
  'bad scopes': { inputs: { scopes: 'API!' }, error: 'scopes:' },
  'bad expires-at': { inputs: { 'expires-at': '2001-01-01' }, error: 'expires-at:' },
  'bad boolean': { inputs: { revoke: 'maybe' }, error: 'revoke:' },
  'bad timeout': { inputs: { 'timeout-seconds': '-1' }, error: 'timeout-seconds:' },
  'plain http to a remote host': {
    inputs: { 'base-url': 'http://gitlab.example.com' },
    error: 'base-url: uses plain http',
  },
  'a name with a line break': { inputs: { name: `a\n${ADMIN_TOKEN}` }, error: 'name:' },
  'a credential with a space': {
    credential: 'glpat-FAKE with-space-0006',
    error: 'gitlab-token: contains spaces',
  },
  'a bad input with the credential from GITLAB_TOKEN': {
    inputs: { 'gitlab-token': '', scopes: '' },
    env: { GITLAB_TOKEN: ADMIN_TOKEN },
    error: 'scopes: required',
  },
  'a user name echoing the credential': {
    inputs: { 'user-id': ADMIN_TOKEN.replace(/-/g, '!') },
    error: 'user-id:',
  },
  ...Object.fromEntries(
    [400, 401, 403, 404, 409, 422, 500, 502, 503, 504].map((status): [string, Case] => [
      `HTTP ${status} echoing secrets`,
      {
        faults: [
          { ...POST, times: Infinity, fault: { kind: 'status', status, body: echoBody(status) } },
        ],
        error: `${status}`,
      },
    ]),
  ),
  'HTTP 429 until the retries run out': {
    faults: [{ ...POST, times: Infinity, fault: { kind: 'rateLimit', retryAfterSeconds: 0 } }],
    error: 'kept rate-limiting after 10 attempts',
  },
  'HTTP 401 echoing a credential that JSON escaping changes': {
    credential: ODD_CREDENTIAL,
    faults: [
      { ...POST, fault: { kind: 'status', status: 401, body: echoBody(401, ODD_CREDENTIAL) } },
    ],
    error: '401 Unauthorized',
  },
  'an error body of plain text': {
    faults: [
      {
        ...POST,
        fault: { kind: 'status', status: 400, body: `bad\n::warning::${ADMIN_TOKEN} ${ECHOED}` },
      },
    ],
    error: '400 Bad Request',
  },
  'a long error body with the credential past the cut': {
    faults: [
      {
        ...POST,
        fault: {
          kind: 'status',
          status: 400,
          body: { error: `${'x'.repeat(290)} ${ADMIN_TOKEN}` },
        },
      },
    ],
    error: '400 Bad Request',
  },
  ...Object.fromEntries(
    Object.entries({
      'split by line breaks': (t: string) =>
        `${t.slice(0, 8)}\n${t.slice(8, 16)}\r\n${t.slice(16)}`,
      'split by zero-width spaces': (t: string) => `${t.slice(0, 8)}\u200b${t.slice(8)}`,
      'URL-encoded': (t: string) => `?private_token=${encodeURIComponent(t)}`,
      'base64-encoded': (t: string) => Buffer.from(t).toString('base64'),
      'in Basic auth': (t: string) => `Basic ${Buffer.from(`root:${t}`).toString('base64')}`,
      'in Basic auth, another alignment': (t: string) =>
        `Basic ${Buffer.from(`ab:${t}`).toString('base64')}`,
      'upper-cased': (t: string) => t.toUpperCase(),
      'lower-cased': (t: string) => t.toLowerCase(),
    }).flatMap(([how, spell]) =>
      [ADMIN_TOKEN, PLUS_CREDENTIAL, ODD_CREDENTIAL].map((credential, i): [string, Case] => [
        `HTTP 401 echoing the credential ${how} (${['plain', 'with +/=', 'with "\\'][i]})`,
        {
          credential,
          faults: [
            {
              ...POST,
              fault: {
                kind: 'status',
                status: 401,
                body: { message: `401 Unauthorized: got ${spell(credential)} here` },
              },
            },
          ],
          error: '401 Unauthorized',
        },
      ]),
    ),
  ),
  'a proxy page echoing the request': {
    faults: [
      {
        ...POST,
        // Every attempt: a 503 may hide a token, so the step looks, then tries once more.
        times: Infinity,
        fault: {
          kind: 'status',
          status: 503,
          body:
            '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><pre>' +
            `PRIVATE-TOKEN: ${ADMIN_TOKEN.toUpperCase()}\nNOT-GITLABS-WORDS</pre></body></html>`,
        },
      },
    ],
    error: 'GitLab said "503 Service Unavailable"',
    absent: ['NOT-GITLABS-WORDS'],
  },
  'a JSON body with more than the message fields': {
    faults: [
      {
        ...POST,
        fault: {
          kind: 'status',
          status: 400,
          body: {
            error_description: 'The scopes are not valid.',
            request: { headers: { 'private-token': ADMIN_TOKEN.toUpperCase() } },
            trace: 'NOT-GITLABS-WORDS',
          },
        },
      },
    ],
    error: 'GitLab said "The scopes are not valid."',
    absent: ['NOT-GITLABS-WORDS', 'private-token'],
  },
  'resets after the token was made, twice': {
    faults: [{ ...POST, times: 2, fault: { kind: 'reset', afterCreate: true } }],
    error: 'the reply was lost twice',
  },
  '502 after the token was made, then the list fails': {
    faults: [
      { ...POST, fault: { kind: 'status', status: 502, afterCreate: true, body: echoBody(502) } },
      { method: 'GET', fault: { kind: 'status', status: 500, body: echoBody(500) } },
    ],
    error: 'could not be listed to check',
  },
  'the orphan cannot be revoked': {
    faults: [
      { ...POST, fault: { kind: 'reset', afterCreate: true } },
      { method: 'DELETE', fault: { kind: 'status', status: 500, body: echoBody(500) } },
    ],
    error: 'could not be revoked: revoke it by hand',
  },
  'a hang': {
    inputs: { 'timeout-seconds': '1' },
    faults: [{ ...POST, times: Infinity, fault: { kind: 'hang', afterCreate: true } }],
    error: 'within 1 seconds',
  },
  'a redirect whose target carries the credential': {
    faults: [
      {
        ...POST,
        fault: { kind: 'redirect', location: `http://localhost:1/x?private_token=${ADMIN_TOKEN}` },
      },
    ],
    error: 'redirecting POST',
  },
  'a reply without the token': {
    faults: [
      {
        ...POST,
        times: Infinity,
        fault: { kind: 'status', status: 201, body: { id: 1, note: ECHOED } },
      },
    ],
    error: 'carried no usable token',
  },
  'one of several users fails': {
    inputs: { 'user-id': '42\n999\n43', revoke: 'true' },
    error: '404 User Not Found',
  },
  'if-exists: fail finds a token': {
    inputs: { name: 'leak audit existing', 'if-exists': 'fail' },
    error: 'already has an active token',
  },
};

describe('no secret leaks from the main step', () => {
  beforeAll(async () => {
    const made = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': ADMIN_TOKEN,
        'user-id': '42',
        scopes: 'api',
        name: 'leak audit existing',
      },
    });
    expect(made.code).toBe(0);
  });

  it.each(Object.entries(mainCases))('%s', async (_, c) => {
    for (const rule of c.faults ?? []) sim.addFault(rule);
    const credential = c.credential ?? ADMIN_TOKEN;
    const result = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': credential,
        'user-id': '42',
        scopes: 'api',
        ...c.inputs,
      },
      env: c.env,
    });
    expect(result.code).toBe(1);
    const errors = commands(result.stdout, 'error');
    expect(errors.join('\n')).toContain(c.error);
    // One error per failed user, plus the step's own when there are several users; a single
    // user's failure is printed once.
    expect(errors).toHaveLength(c.inputs?.['user-id']?.includes('\n') ? 2 : 1);
    for (const text of c.absent ?? []) expect(result.stdout + result.stderr).not.toContain(text);
    expectClean(result, credential);
  });
});

describe('no secret leaks from the post step', () => {
  const postCases: Record<string, { faults?: FaultRule[]; inputs?: Record<string, string> }> = {
    'DELETE answers 401 echoing secrets': {
      faults: [
        {
          method: 'DELETE',
          times: Infinity,
          fault: { kind: 'status', status: 401, body: echoBody(401) },
        },
      ],
    },
    'DELETE answers 500 echoing secrets': {
      faults: [
        {
          method: 'DELETE',
          times: Infinity,
          fault: { kind: 'status', status: 500, body: echoBody(500) },
        },
      ],
    },
    'DELETE is reset': {
      faults: [{ method: 'DELETE', times: Infinity, fault: { kind: 'reset' } }],
    },
    'DELETE hangs': {
      inputs: { 'timeout-seconds': '1' },
      faults: [{ method: 'DELETE', times: Infinity, fault: { kind: 'hang' } }],
    },
    'DELETE is redirected': {
      faults: [
        {
          method: 'DELETE',
          times: Infinity,
          fault: { kind: 'redirect', location: `${elsewhere.url}/?t=${ADMIN_TOKEN}` },
        },
      ],
    },
    'the inputs are bad by then': {
      inputs: { 'base-url': 'ftp://x', 'gitlab-token': ADMIN_TOKEN },
    },
    succeeds: {},
  };

  it.each(Object.entries(postCases))('%s', async (title, c) => {
    const main = await runMainStep({
      inputs: {
        'base-url': sim.url,
        'gitlab-token': ADMIN_TOKEN,
        'user-id': '42\n43',
        scopes: 'api',
        revoke: 'true',
      },
    });
    expect(main.code).toBe(0);
    expect(main.files.state).toContain('cgt-');
    expectClean(main);
    for (const rule of c.faults ?? []) sim.addFault(rule);
    const post = await runPostStep(main, {
      inputs: { 'base-url': sim.url, 'gitlab-token': ADMIN_TOKEN, revoke: 'true', ...c.inputs },
    });
    expect(post.code).toBe(0);
    if (title === 'succeeds') {
      expect(commands(post.stdout, 'warning')).toEqual([]);
    } else {
      expect(commands(post.stdout, 'warning').join('\n')).toMatch(
        /GitLab did not confirm revoking|Could not reach GitLab/,
      );
    }
    expectClean(post);
  });
});

describe('hostile inputs cannot start a workflow command', () => {
  const payloads = [
    '\n::warning::INJECTED',
    '\r\n::error::INJECTED',
    '%0A::warning::INJECTED',
    '%0D%0A::set-output name=token::INJECTED',
    '\u2028::warning::INJECTED',
    '\u0085::warning::INJECTED',
    '::warning::INJECTED',
  ];
  const inputs = [
    'user-id',
    'scopes',
    'name',
    'expires-at',
    'description',
    'base-url',
    'revoke',
    'timeout-seconds',
    'group-id',
    'if-exists',
    'max-concurrency',
  ];

  it.each(inputs.flatMap((input) => payloads.map((payload) => [input, payload])))(
    '%s with %j',
    async (input, payload) => {
      const result = await runMainStep({
        inputs: {
          'base-url': sim.url,
          'gitlab-token': ADMIN_TOKEN,
          'user-id': '42',
          scopes: 'api',
          [input]: `x${payload}`,
        },
      });
      // The runner reads commands from both streams; the action's own are masks, one error and its
      // debug lines.
      const lines = [...result.stdout.split(/\r?\n|\r/), ...result.stderr.split(/\r?\n|\r/)];
      const foreign = lines.filter(
        (line) => line.trimStart().startsWith('::') && !/^::(add-mask|error|debug)::/.test(line),
      );
      expect(foreign).toEqual([]);
      // Debug lines carry only the method, the path without its query and the status.
      for (const line of commands(result.stdout, 'debug')) expect(line).not.toContain('INJECTED');
      for (const line of commands(result.stdout, 'error')) {
        expect(line.startsWith('INJECTED')).toBe(false);
      }
      // A description is any text GitLab stores, a name any one line; the rest is refused
      // before any request.
      const valid = input === 'description' || (input === 'name' && !CONTROL.test(payload));
      expect(result.code).toBe(valid ? 0 : 1);
      expect(commands(result.stdout, 'error')).toHaveLength(valid ? 0 : 1);
      expectClean(result);
    },
  );
});
