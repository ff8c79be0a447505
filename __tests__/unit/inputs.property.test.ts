/**
 * Property test over the input parser: whatever the runner hands over (random unicode, control
 * characters, line breaks, very long values, `%0A`-style injections), every input either parses
 * or fails with InputError whose problems each name the input, fit on one line and cannot start a
 * workflow command.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseConnectionInputs } from '../../src/inputs/connection.js';
import { parseInputs } from '../../src/inputs/request.js';
import { InputError } from '../../src/inputs/problems.js';

const INPUTS = [
  'base-url',
  'gitlab-token',
  'skip-auth',
  'user-id',
  'scopes',
  'name',
  'expires-at',
  'description',
  'revoke',
  'allow-insecure-http',
  'timeout-seconds',
  'max-concurrency',
  'group-id',
  'if-exists',
];
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const NOW = new Date('2030-06-15T12:00:00Z');

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\n::warning::INJECTED',
    '%0A::error::INJECTED',
    '%0D%0A::set-output name=token::x',
    '\r::add-mask::x',
    '\u2028::warning::x',
    '::stop-commands::x',
    '42\n::warning::x',
    'api,\n::warning::x',
    '@alice%0A::debug::x',
  ),
  fc.string({ unit: 'binary', minLength: 300, maxLength: 5000 }),
  fc
    .array(fc.constantFrom('a', '1', ',', '\n', ' ', '%0A', '::', '\u0000', 'é'), {
      maxLength: 2000,
    })
    .map((parts) => parts.join('')),
  // plausible values, so that parsing also succeeds often
  fc.constantFrom('42', '@alice', 'api, read_api', '7d', 'true', 'FALSE', '10', 'create'),
);

const inputValues = fc.record(
  Object.fromEntries(INPUTS.map((name) => [name, fc.option(hostile, { nil: undefined })])),
);

function reader(values: Record<string, string | undefined>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function expectClearProblems(error: unknown): void {
  expect(error).toBeInstanceOf(InputError);
  const { problems } = error as InputError;
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(problem).toMatch(/^[a-z-]+: \S/);
    expect(INPUTS).toContain(problem.slice(0, problem.indexOf(':')));
    expect(problem).not.toMatch(CONTROL);
    // bounded, whatever the size of the input
    expect(problem.length).toBeLessThan(1000);
  }
}

describe('parseInputs under hostile input', () => {
  it('parses or fails with clear one-line problems', () => {
    let parsed = 0;
    let refused = 0;
    fc.assert(
      fc.property(inputValues, (values) => {
        try {
          const inputs = parseInputs(reader(values), {}, NOW);
          parsed++;
          // What was accepted is safe to print on one line.
          expect(inputs.name).not.toMatch(CONTROL);
          expect([...inputs.name].length).toBeLessThanOrEqual(255);
          for (const scope of inputs.scopes) expect(scope).toMatch(/^[a-z][a-z0-9_]*$/);
          for (const ref of inputs.targets) {
            const { user } = ref;
            if (user === undefined) continue;
            if ('username' in user) expect(user.username).toMatch(/^[A-Za-z0-9_.-]+$/);
            else expect(Number.isSafeInteger(user.id)).toBe(true);
          }
          if (inputs.credential !== undefined) expect(inputs.credential).not.toMatch(/\s/);
          expect(inputs.apiUrl).toMatch(/^https?:\/\/[^\s]+\/api\/v4$/);
          expect(inputs.timeoutMs).toBeGreaterThanOrEqual(1000);
        } catch (error) {
          refused++;
          expectClearProblems(error);
        }
      }),
      { numRuns: 1000 },
    );
    expect(parsed + refused).toBe(1000);
  });

  it('parses valid inputs with a hostile description and name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const values = {
          'gitlab-token': 'glpat-FAKE-property-0007',
          'user-id': '42',
          scopes: 'api',
          name: text,
          description: text,
        };
        try {
          const inputs = parseInputs(reader(values), {}, NOW);
          expect(inputs.name).not.toMatch(CONTROL);
        } catch (error) {
          expectClearProblems(error);
          expect((error as InputError).problems.every((p) => p.startsWith('name:'))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never echoes the credential in a problem', () => {
    fc.assert(
      fc.property(hostile, hostile, (credential, baseUrl) => {
        const values = { 'gitlab-token': `FAKE${credential}`, 'base-url': baseUrl };
        try {
          parseConnectionInputs(reader(values), {});
        } catch (error) {
          expectClearProblems(error);
          const secret = `FAKE${credential}`.trim();
          if (secret.length >= 8) {
            for (const problem of (error as InputError).problems) {
              expect(problem).not.toContain(secret);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('lists at most a few bad scopes, however many there are', () => {
    const values = {
      'gitlab-token': 'glpat-FAKE-x-0008',
      'user-id': '1',
      scopes: 'A! '.repeat(10000),
    };
    try {
      parseInputs(reader(values), {}, NOW);
      throw new Error('expected a problem');
    } catch (error) {
      expectClearProblems(error);
      expect((error as InputError).problems[0]).toContain('and 9995 more');
    }
  });
});
