// `npm run package:check`: holds the builder configurations, package.json and the lockfile to the
// packaging rules (scripts/packaging/lib/), here and without downloading anything. Exit 0 when every
// rule holds, 1 with one line per violation otherwise.
import { checkPackaging } from './lib/packaging-check';

const report = await checkPackaging(process.cwd());
for (const v of report.violations) console.error(`✗ ${v.file} [${v.kind}] ${v.message}`);
if (report.violations.length > 0) {
  console.error(`package:check: ${report.violations.length} violation(s); nothing was built`);
  process.exit(1);
}
console.log(`package:check: every packaging rule holds for ${report.checked.join(', ')}`);
