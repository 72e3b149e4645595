/**
 * `verify` as the built command runs it: scripts/build-cli.mjs resolves main's `./commands/verify`
 * to this file, bundles cli/commands/verify.ts on its own into chunks/verify.cjs beside it, and
 * writes that bundle's code cache (./code-cache.ts). An auditor's verify compares with `gpg
 * --verify` as a whole process, and compiling its ~1.3 MB of JavaScript was a third of a real
 * ceremony's verify.
 */
import { fileURLToPath } from 'node:url';
import { requireCodeCached } from './code-cache';
import type { Command } from './io';

const VERIFY_BUNDLE = fileURLToPath(new URL('verify.cjs', import.meta.url));

export const verifyCommand: Command = (argv, io) => {
  const { exports } = requireCodeCached(VERIFY_BUNDLE);
  return (exports as typeof import('./commands/verify')).verifyCommand(argv, io);
};
