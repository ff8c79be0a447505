/**
 * The shape of src/, checked by `npm run lint:imports` (part of `npm test`): no import cycles
 * (type-only and dynamic imports included), and imports that run one way only, from the entry
 * points down to the leaves:
 *
 *   entries → action | cli → fleet → messages → plan → tokens → stores → kinds → gitlab → http → inputs → util
 *
 * messages/ (failures into sentences) sits above tokens/: the token code is handed a describer and
 * never words a failure itself.
 *
 * A folder may import its own files and any folder below it, never one above it.
 */
const LAYERS = [
  ['entries', '^src/(index|main)\\.ts$|^src/post/|^src/cli/index\\.ts$'],
  ['action', '^src/action/'],
  ['cli', '^src/cli/(?!index\\.ts$)'],
  ['fleet', '^src/fleet/'],
  ['messages', '^src/messages/'],
  ['plan', '^src/plan/'],
  ['tokens', '^src/tokens/'],
  ['stores', '^src/stores/'],
  ['kinds', '^src/kinds/'],
  ['gitlab', '^src/gitlab/'],
  ['http', '^src/http/'],
  ['inputs', '^src/inputs/'],
  ['util', '^src/util/'],
];

/** action and cli are side by side: neither imports the other. */
const SIBLINGS = [['action', 'cli']];

const pathOf = (name) => LAYERS.find(([layer]) => layer === name)[1];

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'An import cycle (type-only and dynamic imports count): cut the files by concept.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'src-only',
    severity: 'error',
    comment: 'The product does not import tests, benchmarks or scripts.',
    from: { path: '^src/' },
    to: { path: '^(__tests__|bench|scripts)/' },
  },
  ...LAYERS.flatMap(([layer, path], index) =>
    LAYERS.slice(0, index)
      .filter(([above]) => !(layer === 'cli' && above === 'action'))
      .map(([above, abovePath]) => ({
        name: `${layer}-not-above`,
        severity: 'error',
        comment: `${layer} is below ${above}: imports run from the entry points down.`,
        from: { path },
        to: { path: abovePath },
      })),
  ),
  ...SIBLINGS.flatMap(([a, b]) => [
    {
      name: `${a}-not-${b}`,
      severity: 'error',
      from: { path: pathOf(a) },
      to: { path: pathOf(b) },
    },
    {
      name: `${b}-not-${a}`,
      severity: 'error',
      from: { path: pathOf(b) },
      to: { path: pathOf(a) },
    },
  ]),
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build|node_modules)/' },
    // Type-only imports count: a cycle of types is still a cycle of concepts.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
  },
};
