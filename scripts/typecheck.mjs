// `npm run typecheck`: the three layers' configs (everything; shared/ without Node or DOM; the
// renderer without Node), checked at once, one tsc each: two cores finish them in the time of the
// largest. Each is incremental, with its .tsbuildinfo under node_modules/.cache/tsc, so a check
// after a small edit re-checks only what the edit can affect.
import { spawn } from 'node:child_process';

const CONFIGS = ['tsconfig.json', 'shared/tsconfig.json', 'renderer/tsconfig.json'];

const tsc = (config) =>
  new Promise((resolve) => {
    const child = spawn('node_modules/.bin/tsc', ['-p', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (status) => resolve({ config, status, output }));
  });

const results = await Promise.all(CONFIGS.map(tsc));
for (const { config, status, output } of results) {
  if (status === 0) continue;
  process.stdout.write(`typecheck: ${config} failed\n${output}`);
}
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
