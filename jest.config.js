// ESM mode: @actions/core 3 and @actions/http-client 4 are ESM-only, so the tests run
// under `node --experimental-vm-modules` with ts-jest emitting ES modules.
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
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/__tests__/helpers/plain-summary-reporter.cjs'],
};
