// ESM mode: @actions/core 3 and @actions/http-client 4 are ESM-only, so the tests run
// under `node --experimental-vm-modules` with ts-jest emitting ES modules.
//
// Most suites run the action and the CLI in the worker's own process (run-action.ts), so a
// worker mostly waits on the simulator's sockets: two workers keep two cores busy without
// starving the few end-to-end suites that start processes. Timeouts are generous so that a
// machine busy with other work stays green; no test asserts how long anything took.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, isolatedModules: true }],
  },
  maxWorkers: 2,
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/__tests__/helpers/plain-summary-reporter.cjs'],
};
