/**
 * How the sealing code (seal.ts: tweetnacl and BLAKE2b) is loaded, only when a step stores a
 * GitHub secret. The action loads it from its own bundle beside the entry's (dist/seal/index.js),
 * so that steps that do not store never read it; the CLI, a single downloaded file, carries it
 * inline (see src/cli/index.ts). Built by `npm run bundle`; never a bundler's numbered chunk,
 * whose file names change with the directory it is built in.
 */
type Seal = typeof import('./seal.js');

let loader: () => Promise<Seal> = async () => {
  // The action's bundles are dist/index.js and dist/post/index.js; the seal bundle is dist/seal.
  // Built from parts: a bundler would take `new URL('<literal>', import.meta.url)` for an asset.
  const url = new URL(['.', 'seal', 'index.js'].join('/'), import.meta.url).href;
  return (await import(/* webpackIgnore: true */ url)) as Seal;
};

/** Replaces the loader (the CLI's bundle carries the code inline). */
export function setSealLoader(load: () => Promise<Seal>): void {
  loader = load;
}

export function loadSeal(): Promise<Seal> {
  return loader();
}
