// `npm run mutation-check [id ...]`: shows that SECURITY.md's proofs can fail. Each mutation
// removes one defence with a small text patch, in a copy of the tree, then runs the tests
// SECURITY.md cites for that claim: they must fail. A mutation whose tests still pass is a
// hollow proof, and the script exits 1 naming it. A patch that no longer applies (its text
// moved) also exits 1, so the list cannot silently go stale.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { MUTATIONS } from './mutation-check/mutations.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const RUN_LIMIT_MS = 300_000;

/** The tracked and untracked (not ignored) files, copied; node_modules shared except its .bin. */
function copyOfTree() {
  const copy = mkdtempSync(join(tmpdir(), 'vc-mutation-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(ROOT, file), join(copy, file), { dereference: false, errorOnExist: false, force: true });
  }
  // The test run builds the CLI and links it into node_modules/.bin: that link must be the copy's.
  const modules = join(ROOT, 'node_modules');
  mkdirSync(join(copy, 'node_modules', '.bin'), { recursive: true });
  for (const name of readdirSync(modules)) {
    if (name !== '.bin') symlinkSync(join(modules, name), join(copy, 'node_modules', name));
  }
  for (const name of readdirSync(join(modules, '.bin'))) {
    if (name !== 'vault-ceremony')
      symlinkSync(realpathSync(join(modules, '.bin', name)), join(copy, 'node_modules', '.bin', name));
  }
  return copy;
}

/** Runs `tests` (optionally only those named by `filter`) in `copy`; counts from Vitest's JSON report. */
function runTests(copy, { tests, filter }) {
  const report = join(copy, '.mutation-report.json');
  rmSync(report, { force: true });
  const args = ['node_modules/vitest/vitest.mjs', 'run', ...tests, '--reporter=json', `--outputFile=${report}`];
  if (filter) args.push('-t', filter);
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { cwd: copy, encoding: 'utf8', timeout: RUN_LIMIT_MS });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.error?.code === 'ETIMEDOUT') return { failed: 1, ran: 1, seconds, note: 'timed out' };
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    return { failed: json.numFailedTests, ran: json.numPassedTests + json.numFailedTests, seconds };
  } catch {
    return { failed: 0, ran: 0, seconds, note: `no report (exit ${run.status}): ${run.stderr.slice(-400)}` };
  }
}

const wanted = new Set(process.argv.slice(2));
const selected = MUTATIONS.filter((m) => wanted.size === 0 || wanted.has(m.id));
if (selected.length === 0) {
  console.error(`mutation-check: no mutation named ${[...wanted].join(', ')}`);
  process.exit(2);
}

const copy = copyOfTree();
const survivors = [];
try {
  for (const m of selected) {
    const path = join(copy, m.file);
    const original = readFileSync(path, 'utf8');
    const at = original.indexOf(m.from);
    if (at < 0 || original.indexOf(m.from, at + 1) >= 0) {
      survivors.push(m.id);
      console.log(`STALE    ${m.id}: the text to mutate is not found exactly once in ${m.file}`);
      continue;
    }
    writeFileSync(path, original.slice(0, at) + m.to + original.slice(at + m.from.length));
    try {
      const r = runTests(copy, m);
      const killed = r.failed > 0;
      if (!killed) survivors.push(m.id);
      const counts = `${r.failed} of ${r.ran} test(s) failed, ${r.seconds} s${r.note ? `; ${r.note}` : ''}`;
      console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${m.id} (${m.claim}): ${counts}`);
    } finally {
      writeFileSync(path, original);
    }
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}

if (survivors.length > 0) {
  console.error(
    `mutation-check: ${survivors.length} defence(s) removed without a test failing: ${survivors.join(', ')}`,
  );
  process.exit(1);
}
console.log(`mutation-check: each of ${selected.length} removed defence(s) made its cited tests fail`);
