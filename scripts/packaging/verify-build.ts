// `npm run package:verify-build [-- --test] [DIR]`: checks the apps a build left in DIR (by default
// the configuration's output folder): the fuses burned into each Electron binary and an app.asar
// holding only the bundles. Exit 0 when every app passes, 1 otherwise, 2 for usage errors.
import { parseArgs } from 'node:util';
import { verifyBuild } from './lib/verify-build';

let test: boolean | undefined;
let dirs: string[];
try {
  ({
    values: { test },
    positionals: dirs,
  } = parseArgs({ options: { test: { type: 'boolean' } }, strict: true, allowPositionals: true }));
} catch (e) {
  console.error(
    `package:verify-build: ${e instanceof Error ? e.message : String(e)}\nusage: npm run package:verify-build [-- --test] [DIR]`,
  );
  process.exit(2);
}
const flavour = test ? 'test' : 'release';
const result = await verifyBuild(process.cwd(), flavour, dirs[0]);
for (const problem of result.problems) console.error(`✗ [${problem.kind}] ${problem.message}`);
if (result.problems.length > 0) {
  console.error(`package:verify-build: the ${flavour} build in ${result.outputDir} is not fit to ship`);
  process.exit(1);
}
for (const app of result.apps)
  console.log(`✓ ${app.executable}: ${flavour} fuses burned, app.asar holds only the bundles`);
