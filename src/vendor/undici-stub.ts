/**
 * Stands in for `undici` in the ncc bundles (tsconfig.json `paths` maps the name here).
 * @actions/http-client imports undici's ProxyAgent only for `getAgentDispatcher()`, which neither
 * this action nor @actions/core calls; its requests and proxy support use node:http(s) and
 * `tunnel`. Bundling the real undici (about 440 kB) made every start evaluate it, which cost
 * about 70 ms of cold start. Tests that import @actions/http-client at run time still get the
 * real package from node_modules.
 * Since src/lib/runner.ts replaced @actions/core, no bundle imports @actions/http-client's index
 * (only its small lib/proxy module): the mapping stays as a guard, should anything import it again.
 */
export class ProxyAgent {
  constructor() {
    throw new Error(
      'undici is not bundled with create-gitlab-token (getAgentDispatcher is unused)',
    );
  }
}
