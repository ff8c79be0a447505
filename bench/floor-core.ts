/**
 * The design card's floor for `npm run bench`'s cold start: the same request as the action's
 * happy path (one POST to /users/:id/personal_access_tokens), made with the libraries the design
 * names — @actions/core for the inputs, the mask and the output, @actions/http-client for the
 * request — and bundled by ncc as the action is (`npm run bench` builds it into
 * build/floor-core/). What the action spends above this is the cost of its own code.
 */
import * as core from '@actions/core';
import { HttpClient } from '@actions/http-client';

const url = `${core.getInput('base-url').replace(/\/+$/, '')}/api/v4/users/${core.getInput('user-id')}/personal_access_tokens`;
const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const client = new HttpClient('create-gitlab-token-floor');
try {
  const response = await client.postJson<{ token: string }>(
    url,
    { name: 'floor', scopes: core.getInput('scopes').split(/[\s,]+/), expires_at: expires },
    { 'private-token': core.getInput('gitlab-token') },
  );
  const token = response.result?.token ?? '';
  core.setSecret(token);
  core.setOutput('token', token);
  if (response.statusCode !== 201) core.setFailed(`answered ${response.statusCode}`);
} catch (error) {
  core.setFailed(error instanceof Error ? error.message : String(error));
} finally {
  client.dispose();
}
