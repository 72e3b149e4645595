// `npm start`: build, then open the app in Electron. When Electron's binary is missing (npm ci
// on this project skips install scripts), fetch it once with electron's own installer; only when
// that fails (an air-gapped machine) say so in one sentence and name the headless alternative.
import { spawn, spawnSync } from 'node:child_process';
import { fetchElectronBinary, findElectronBinary } from './electron-binary.mjs';

const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

let electron = findElectronBinary();
if (electron === undefined) {
  console.log("Electron's binary is not installed yet: fetching it once with electron's own installer (about 100 MB)…");
  const fetched = fetchElectronBinary();
  if (!fetched.ok) {
    console.error(
      `The Electron binary is not installed on this machine and could not be fetched (${fetched.reason}), so the app cannot open a window; run a ceremony headless against the rehearsal Vault with 'npx vault-ceremony rehearse --out DIR' instead.`,
    );
    process.exit(1);
  }
  console.log(`Electron's binary is installed: ${fetched.path}`);
  electron = fetched.path;
}
const child = spawn(electron, ['.'], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
