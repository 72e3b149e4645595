// `npm run sbom [-- --out FILE]`: the CycloneDX 1.5 SBOM of this project (scripts/packaging/lib/sbom.ts)
// on standard output or into FILE. Deterministic: set SOURCE_DATE_EPOCH to state the release time.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { projectSbom } from './lib/project-sbom';

let out: string | undefined;
try {
  ({
    values: { out },
  } = parseArgs({ options: { out: { type: 'string' } }, strict: true }));
} catch (e) {
  console.error(`sbom: ${e instanceof Error ? e.message : String(e)}\nusage: npm run sbom [-- --out FILE]`);
  process.exit(2);
}
const sbom = await projectSbom(process.cwd(), process.env);
if (!sbom.ok) {
  console.error(`sbom: ${sbom.error.message}`);
  process.exit(1);
}
if (out === undefined) process.stdout.write(sbom.value);
else {
  writeFileSync(out, sbom.value);
  console.error(`sbom: wrote ${out}`);
}
