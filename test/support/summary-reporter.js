/* global process, module */
/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped") as the very last line of the run,
 * after jest's own summary.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped`;
    process.once('exit', () => process.stdout.write(`\n${line}\n`));
  }
}

module.exports = SummaryReporter;
