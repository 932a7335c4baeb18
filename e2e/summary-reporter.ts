import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/** Prints the plain closing line 'N passed, N failed, N skipped' that CI reads, after the
 *  slowest spec files (their tests' summed durations), to keep the suite's time in view. */
export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;
  private readonly msByFile = new Map<string, number>();

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = test.location.file.replace(/^.*\/e2e\//, 'e2e/');
    this.msByFile.set(file, (this.msByFile.get(file) ?? 0) + result.duration);
    if (result.retry < test.retries && result.status !== 'passed') return;
    if (result.status === 'passed') this.passed++;
    else if (result.status === 'skipped') this.skipped++;
    else this.failed++;
  }

  onEnd(): void {
    const slowest = [...this.msByFile].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`\nslowest spec files (s): ${slowest.map(([file, ms]) => `${file} ${(ms / 1000).toFixed(0)}`).join(', ')}`);
    console.log(`tests: ${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
