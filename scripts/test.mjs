// `npm test`: type-check every layer, lint, run the unit/integration suite, and close with
// one plain "N passed, N failed, N skipped" line that CI can read.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status ?? 1;
}

if (run('npm', ['run', '--silent', 'typecheck']) !== 0) process.exit(1);
if (run('npm', ['run', '--silent', 'lint']) !== 0) process.exit(1);

mkdirSync('test-results', { recursive: true });
const report = 'test-results/unit.json';
const status = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\nunit: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
} catch {
  console.log('\nunit: the test report was not written; see the output above');
}
process.exit(status);
