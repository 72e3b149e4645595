#!/usr/bin/env node
// The `vault-ceremony` process: the command line over the real terminal. `npm run build:cli`
// (run by `npm ci` through `prepare`) bundles this file into dist/cli/vault-ceremony.mjs.
import { main } from './main';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
});
