/**
 * Set-up for the `unit` Vitest project (`npm run test:fast`): a test there may not start a process
 * (gpg, the CLI, esbuild and Vite's build among them) nor listen on a socket (a TLS or HTTP server).
 * Either throws, naming vitest.config.ts, so a test that needs one cannot slip into the fast tier.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);

function refuse(what: string): () => never {
  return () => {
    throw new Error(
      `${what}: a unit test may not start a process or a server. ` +
        'Make `// @tier integration` the first line of this test file (vitest.config.ts; it then runs in `npm test` only).',
    );
  };
}

const childProcess = require('node:child_process') as Record<string, unknown>;
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'])
  childProcess[name] = refuse(`child_process.${name}`);
const net = require('node:net') as typeof import('node:net');
net.Server.prototype.listen = refuse('net.Server.listen');
// Imports of node:child_process by name see the replacements too.
syncBuiltinESMExports();
