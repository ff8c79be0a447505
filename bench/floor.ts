/**
 * The floor for `npm run bench`'s cold start: the least a script can do to make the same token.
 * One POST to GitLab's /users/:id/personal_access_tokens (base URL, credential, user and scopes
 * from the same INPUT_* variables the action reads), a mask for the new token, and the token
 * written to GITHUB_OUTPUT in the runner's `name<<delimiter` form. No input checks, no retries,
 * no proxy, no summary: whatever the action spends above this is its own overhead.
 */
import { createRequire } from 'node:module';

// Node's modules through require(), as ncc's bundles load them: an ES `import` of node:crypto or
// node:http makes Node build their module namespaces, which runs every lazy getter (crypto's
// webcrypto, ...) and costs about 25 ms here, more than the rest of this script.
const require = createRequire(import.meta.url);
const { randomUUID } = require('node:crypto') as typeof import('node:crypto');
const { appendFileSync } = require('node:fs') as typeof import('node:fs');

const input = (name: string): string => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

const url = new URL(
  `${input('base-url').replace(/\/+$/, '')}/api/v4/users/${input('user-id')}/personal_access_tokens`,
);
const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const body = JSON.stringify({
  name: 'floor',
  scopes: input('scopes').split(/[\s,]+/),
  expires_at: expires,
});
// Only the module the URL needs: node:https (and TLS with it) costs more to load than node:http.
const { request: send } = (
  url.protocol === 'https:' ? require('node:https') : require('node:http')
) as typeof import('node:http');
const request = send(
  url,
  {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'private-token': input('gitlab-token'),
    },
  },
  (response) => {
    let text = '';
    response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    response.on('end', () => {
      const { token } = JSON.parse(text) as { token: string };
      process.stdout.write(`::add-mask::${token}\n`);
      const delimiter = `ghadelimiter_${randomUUID()}`;
      appendFileSync(
        process.env.GITHUB_OUTPUT ?? '',
        `token<<${delimiter}\n${token}\n${delimiter}\n`,
      );
      process.exitCode = response.statusCode === 201 ? 0 : 1;
    });
  },
);
request.end(body);
