// Prints one plain closing line ("tests: N passed, N failed, N skipped") that CI logs can read,
// and keeps it in build/test-summary.txt so .ci/run can repeat it as its very last line.
const fs = require('node:fs');
const path = require('node:path');

class PlainSummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`;
    process.stderr.write(`\n${line}\n`);
    const dir = path.join(this.rootDir, 'build');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'test-summary.txt'), `${line}\n`);
  }
}
module.exports = PlainSummaryReporter;
