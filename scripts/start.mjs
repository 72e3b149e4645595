// `npm start`: build, then open the app in Electron. Without Electron's binary (it is not
// downloaded on air-gapped machines) say so in one sentence and name the headless alternative.
import { spawn, spawnSync } from 'node:child_process';
import { findElectronBinary } from './electron-binary.mjs';

const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const electron = findElectronBinary();
if (electron === undefined) {
  console.error(
    "The Electron binary is not installed on this machine, so the app cannot open a window; run a ceremony headless against the rehearsal Vault with 'npx vault-ceremony rehearse --out DIR' instead.",
  );
  process.exit(1);
}
const child = spawn(electron, ['.'], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
