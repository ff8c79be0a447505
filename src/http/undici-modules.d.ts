// Types for the undici 6 modules that undici-parts.ts loads by path: each file's
// `module.exports` is the export of the same name from undici's index (see that file for why).
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}
declare module 'undici/lib/dispatcher/pool.js' {
  import { Pool } from 'undici';
  export default Pool;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import { ProxyAgent } from 'undici';
  export default ProxyAgent;
}
declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici';
  export default buildConnector;
}
declare module 'undici/lib/handler/decorator-handler.js' {
  import { DecoratorHandler } from 'undici';
  export default DecoratorHandler;
}
declare module 'undici/lib/core/util.js' {
  import { util } from 'undici';
  export default util;
}
