/**
 * A stand-in for the Electron binary, for packaging tests on machines without Electron's download:
 * a file holding Electron's fuse sentinel and a fuse wire with Electron 45's defaults, which
 * @electron/fuses reads and flips exactly as it would in the real binary.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @electron/fuses' marker in front of the wire (its src/constants.ts). */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron 45's defaults: RunAsNode, NodeOptions, NodeCliInspect, GrantFileProtocolExtraPrivileges and WasmTrapHandlers on. */
export const ELECTRON_45_DEFAULT_WIRE = '101100011';

export function writeStandInBinary(path: string, wire = ELECTRON_45_DEFAULT_WIRE): void {
  const header = Buffer.from([1, wire.length]);
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.alloc(4096, 0x90),
      Buffer.from(SENTINEL),
      header,
      Buffer.from(wire),
      Buffer.alloc(4096, 0x90),
    ]),
  );
  chmodSync(path, 0o755);
}

/** An unpacked Linux Electron distribution (what `electronDist` points electron-builder at). */
export function writeStandInDistribution(dir: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  writeStandInBinary(join(dir, 'electron'));
  writeFileSync(join(dir, 'LICENSE'), 'stand-in\n');
  writeFileSync(join(dir, 'version'), '45.4.1\n');
}
