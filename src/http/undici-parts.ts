/**
 * The parts of undici this client uses, loaded from their own modules inside undici 6 (pinned in
 * package.json; undici 6 has no `exports` map, so these paths are public to Node and to the
 * bundler). undici's index also loads fetch, WebSocket, EventSource, the cache, the mocks and the
 * interceptors, and every run would pay for them at start: about 55 ms of a one-token run on
 * Node 24, more than the rest of this action's own start-up (docs/benchmarks.md). Same classes,
 * same code: only what is loaded changes. Types come from undici's index (undici-modules.d.ts);
 * an undici upgrade that moves a file fails the type check and every HTTP test.
 */
import Agent from 'undici/lib/dispatcher/agent.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js';
import buildConnector from 'undici/lib/core/connect.js';
import DecoratorHandler from 'undici/lib/handler/decorator-handler.js';
import util from 'undici/lib/core/util.js';

export { Agent, buildConnector, DecoratorHandler, Pool, ProxyAgent, util };
export type { Dispatcher } from 'undici';
