// @tier integration
/**
 * Drill: the app's process is killed (SIGKILL: no cleanup, no last write) at every step of the
 * ceremony in turn, and `vault-ceremony rehearse --resume` carries on from the journal.
 *
 * Each kill point gets its own rehearsal Vault (served from this test process, written out as
 * `rehearsal-vault --dir` would) and its own child process running `vault-ceremony rehearse
 * --cluster`, paced so the kill lands between people's moves. One more kill lands mid-call: the
 * share has reached Vault (its answer held back) but the answer was never journaled. Two land in
 * the bundle's export: one real, once its staging folder appears, which on a busy machine may land
 * later (after the bundle was complete, or the run ended), so the drill asserts what the window it
 * hit requires and says which; one laid out as a kill after the first files moved into DIR leaves
 * it (a window too short to kill in reliably). More are laid out after the bundle was complete
 * (before its staging folder, or the working folder, was removed): the resume finishes with that
 * bundle, keeping the working folder as a normal finish does when a key refused at signing is
 * journaled there; one of another ceremony there is still refused.
 *
 * After every kill the resumed ceremony must record the interruption and the secrets it lost,
 * restart the attempt with a new nonce (witnessed) when the attempt's secrets were lost with it,
 * finish with the DR secondary promoted, and leave a bundle `verify` accepts.
 *
 * Bound: one uninterrupted reference run to learn the kill points (one per step and share, and
 * the first signature: 15 with this plan), then two kill points at a time: about 35 s
 * measured on this 2-core machine, most of it starting child processes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../../cli/commands/rehearsal-vault';
import { startRehearsalVault, type RehearsalVault } from '../../rehearsal-vault/rehearsal-cluster-set';
import { verifyBundle } from '../../electron/services/transcript/verify';
import { BUNDLE_ENTRIES } from '../../electron/services/transcript/bundle-layout';
import { Journal, type EventInput } from '../../electron/services/journal/journal';
import { SYSTEM } from '../../electron/services/ceremony/ceremony-record';
import type { JournalEvent } from '../../shared/record/journal-event';
import { FAILBACK_SECONDARY_ID } from '../../electron/services/rehearsal/rehearsal-ceremony';
import { kindOf } from './drill-support';
import { builtCli } from '../support/built-programs';
import { writeBundleKeyring } from '../support/doctored-bundle';
import { verifyAnchored } from '../support/rehearsed-promotion';

const ROOT = join(import.meta.dirname, '../..');
const BIN = builtCli();
/** Milliseconds each person waits before their move: the window the kill lands in. */
const PACE_MS = 50;
/** Lines that mark a point in the ceremony: each step, each share entered or accepted, each signature. */
const MARK = /step: |enters a share|accepted: \d of|signed the transcript/;
const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';
const UPDATE = 'sys/replication/dr/secondary/generate-operation-token/update';
const PROMOTE = 'sys/replication/dr/secondary/promote';
const SECONDARY_TOKEN = 'sys/replication/dr/primary/secondary-token';
/** What a bundle folder holds once a rehearsal succeeded: the bundle alone. */
const BUNDLE_FILES = ['journal.jsonl', 'signers', 'transcript.txt', 'transcript.txt.asc', 'transcript.txt.sig'];

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'vc-kill-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly lines: string[];
}

/**
 * Runs `vault-ceremony rehearse` in a child process. `killWhen` sees each output line (and is
 * polled meanwhile); once it says so, the child is killed with SIGKILL.
 */
function rehearse(args: string[], killWhen?: (lines: readonly string[]) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'rehearse', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let killed = false;
    const check = () => {
      if (!killed && killWhen?.(lines)) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const poll = setInterval(check, 10);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      check();
    });
    createInterface({ input: child.stderr }).on('line', (line) => lines.push(`stderr: ${line}`));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, lines });
    });
  });
}

/** A fresh rehearsal Vault and its cluster.json, in `dir`. */
async function rehearsalVault(dir: string): Promise<RehearsalVault> {
  const started = await startRehearsalVault({ officers: 3, threshold: 2 });
  if (!started.ok) throw new Error(started.error.message);
  mkdirSync(dir, { recursive: true });
  await writeBundle(dir, started.value);
  return started.value;
}

/**
 * The ceremony's whole journal: the working one while the run needs it, or once it succeeded if it
 * was kept for holding more than the bundle; else the bundle's.
 */
/** Appends `entry` to the working journal of the rehearsal in `out`, as the laptop's service would. */
async function appendToWorkingJournal(out: string, entry: EventInput): Promise<void> {
  const opened = await Journal.open(join(out, 'ceremony', 'journal.jsonl'));
  if (!opened.ok) throw new Error(opened.error.message);
  const appended = await opened.value.journal.append(entry);
  await opened.value.journal.close();
  if (!appended.ok) throw new Error(appended.error.message);
}

function journalOf(out: string): JournalEvent[] {
  const working = join(out, 'ceremony/journal.jsonl');
  return readFileSync(existsSync(working) ? working : join(out, 'journal.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** Kills at `kill`, resumes, and checks the outcome; returns the resumed journal for further checks. */
async function killAndResume(
  name: string,
  kill: (lines: readonly string[], out: string) => boolean,
  prepare?: (vault: RehearsalVault) => void,
): Promise<JournalEvent[]> {
  const dir = join(root, name);
  const out = join(dir, 'out');
  const vault = await rehearsalVault(join(dir, 'vault'));
  try {
    prepare?.(vault);
    const cluster = ['--out', out, '--cluster', join(dir, 'vault', 'cluster.json')];
    const killed = await rehearse([...cluster, '--pace', String(PACE_MS)], (lines) => kill(lines, out));
    expect(killed.signal, `${name}: the ceremony ended before the kill:\n${killed.lines.join('\n')}`).toBe('SIGKILL');
    vault.faults.clearResponseFaults();

    const resumed = await rehearse([...cluster, '--resume']);
    expect(resumed.code, `${name}: the resumed ceremony failed:\n${resumed.lines.join('\n')}`).toBe(0);
    expect(resumed.lines).toContain('DR secondary promoted: yes');
    expect(resumed.lines.some((l) => l.startsWith('bundle verified: yes'))).toBe(true);
    expect((await verifyBundle(out)).problems).toEqual([]);

    // Nothing but the signing's routine notes follows the signed head (the bundle's journal, where no
    // signature reaches past): else rehearse keeps its working folder and names the event outside.
    const kept = resumed.lines.find((l) => l.startsWith('Kept the working folder'));
    expect(kept, `${name}: recorded after the signed head`).toBeUndefined();
    expect(existsSync(join(out, 'ceremony')), `${name}: working folder left`).toBe(false);

    const events = journalOf(out);
    const interruptions = events.filter((e) => e.type === 'interruption');
    expect(interruptions, name).toHaveLength(1);
    const at = events.indexOf(interruptions[0]!);
    const lost = interruptions[0]!.details['secrets_lost'] as string[];
    const attempt = interruptions[0]!.details['attempt'];
    // Lost the attempt's OTP (or the attempt was open): the resumed ceremony cancels it on the
    // record, with a witness, and starts a new one with a new nonce.
    if (lost.includes('otp') || attempt !== null) {
      const before = noncesOf(events.slice(0, at));
      const after = noncesOf(events.slice(at));
      expect(after.length, `${name}: no new attempt after losing ${lost.join(', ') || 'the attempt'}`).toBeGreaterThan(
        0,
      );
      for (const nonce of after) expect(before).not.toContain(nonce);
      expect(
        events.slice(at).some((e) => e.type === 'deviation-witnessed'),
        `${name}: restart not witnessed`,
      ).toBe(true);
    }
    // Killed after the promotion: the token died with the process, so it can no longer be deleted.
    // The machine asks for that to be recorded; the transcript then names it as a loose end.
    const promotedBefore = events
      .slice(0, at)
      .some((e) => e.type === 'vault-response' && e.details['path'] === PROMOTE && e.details['ok'] === true);
    if (promotedBefore && lost.includes('operation-token')) {
      expect(
        events.slice(at).some((e) => e.type === 'deviation' && kindOf(e) === 'token-not-deleted'),
        `${name}: undeleted token not recorded`,
      ).toBe(true);
      const finished = events.find((e) => e.type === 'ceremony-finished')!;
      expect(finished.details['undeleted_operation_tokens']).toBe(1);
      expect(finished.details['loose_ends']).not.toEqual([]);
    }
    return events;
  } finally {
    await vault.close();
  }
}

/**
 * Kills once a line matches `mark` during the signing and resumes: the bundle's journal holds the
 * restart (the interruption, the `resumed` deviation and its witness) and everyone signed its head.
 */
async function killDuringSigning(name: string, mark: RegExp, reopened: boolean): Promise<void> {
  const out = join(root, name, 'out');
  await killAndResume(name, (lines) => lines.some((l) => mark.test(l)));
  const bundled = readFileSync(join(out, 'journal.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEvent);
  expect(bundled.some((e) => e.type === 'interruption')).toBe(true);
  expect(bundled.find((e) => e.type === 'deviation' && kindOf(e) === 'resumed')?.step).toBe('sign-transcript');
  expect(bundled.find((e) => e.type === 'deviation-witnessed')?.role).toBe('witness');
  expect(bundled.at(-1)?.type).toBe('ceremony-finished');
  if (reopened) {
    // Killed after a signature: the record had closed, the restart reopened it and closed it again.
    expect(bundled.find((e) => e.type === 'interruption')?.details['record_closed']).toBe(true);
    expect(bundled.filter((e) => e.type === 'ceremony-finished')).toHaveLength(2);
  }
  const verified = await verifyAnchored(out, writeBundleKeyring(join(root, name, 'signers.asc'), out));
  expect(verified.output).toMatch(/VERIFIED/);
  expect(verified.code).toBe(0);
}

function noncesOf(events: readonly JournalEvent[]): string[] {
  return events
    .filter(
      (e) =>
        e.type === 'vault-response' &&
        e.details['method'] === 'PUT' &&
        e.details['path'] === ATTEMPT &&
        e.details['ok'] === true,
    )
    .map((e) => (e.details['data'] as { nonce: string }).nonce);
}

/** Runs `tasks` two at a time: the machine has two cores, and each kill point spawns two processes in turn. */
async function twoAtATime<T>(tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

describe('the process killed at every step, then resumed', () => {
  it('resumes from every kill point between people’s moves and finishes on the record', async () => {
    const dir = join(root, 'reference');
    const vault = await rehearsalVault(join(dir, 'vault'));
    let marks: string[];
    try {
      const reference = await rehearse(['--out', join(dir, 'out'), '--cluster', join(dir, 'vault', 'cluster.json')]);
      expect(reference.code, reference.lines.join('\n')).toBe(0);
      marks = reference.lines.filter((l) => MARK.test(l));
    } finally {
      await vault.close();
    }
    // Up to the first signature: the last ones end the ceremony within a pause, so a kill there
    // (late on a loaded machine) would race the end rather than test a resume.
    const points = marks.slice(0, marks.findIndex((l) => /signed the transcript \(1 of/.test(l)) + 1);
    expect(points.length).toBeGreaterThan(12);

    const outcomes = await twoAtATime(
      points.map(
        (_, k) => () =>
          killAndResume(`point-${k}`, (lines) => lines.filter((l) => MARK.test(l)).length > k).then(
            () => undefined,
            (e: Error) => `kill after "${points[k]!.trim()}": ${e.message}`,
          ),
      ),
    );
    expect(outcomes.filter((o) => o !== undefined)).toEqual([]);
  }, 300_000);

  it('killed as signing starts or after the first signature, signs the restart and its witness into the record', async () => {
    const points = [/step: Sign the transcript/, /signed the transcript \(1 of/];
    const outcomes = await twoAtATime(
      points.map(
        (mark, k) => () =>
          killDuringSigning(`signing-${k}`, mark, k === 1).then(
            () => undefined,
            (e: Error) => `kill at ${String(mark)}: ${e.message}`,
          ),
      ),
    );
    expect(outcomes.filter((o) => o !== undefined)).toEqual([]);
  }, 120_000);

  it('resumes a rehearsal killed during its export, removing what the export left and nothing else', async () => {
    const dir = join(root, 'export');
    const out = join(dir, 'out');
    const vault = await rehearsalVault(join(dir, 'vault'));
    try {
      const args = ['--out', out, '--cluster', join(dir, 'vault', 'cluster.json')];
      const killed = await rehearse([...args, '--pace', String(PACE_MS)], (lines) =>
        lines.some((l) => /signed the transcript \(1 of/.test(l)),
      );
      expect(killed.signal, killed.lines.join('\n')).toBe('SIGKILL');
      // The export's window is too short to kill in reliably, so its leftovers are laid out as a kill
      // after the signers and the journal moved leaves them (bundle-export.ts): transcript.txt.asc not moved.
      const working = readFileSync(join(out, 'ceremony', 'journal.jsonl'));
      const staging = join(out, '.bundle-Xk9q2w');
      mkdirSync(join(staging, 'signers'), { recursive: true });
      writeFileSync(join(staging, 'transcript.txt.asc'), '-----BEGIN PGP SIGNED MESSAGE-----\n');
      writeFileSync(join(staging, 'journal.jsonl'), working);
      mkdirSync(join(out, 'signers'));
      writeFileSync(join(out, 'signers', 'witness-1.pub.asc'), 'a key moved before the kill');
      writeFileSync(join(out, 'journal.jsonl'), working);

      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(0);
      expect(resumed.lines.filter((l) => l.startsWith('Removed what the interrupted export left'))).toEqual([
        `Removed what the interrupted export left in ${out}: journal.jsonl, signers, .bundle-Xk9q2w (no transcript.txt.asc, so no bundle was complete)`,
      ]);
      expect((await verifyBundle(out)).problems).toEqual([]);
      expect(readdirSync(out).sort()).toEqual(BUNDLE_FILES);
    } finally {
      await vault.close();
    }
  }, 120_000);

  /** The staging folders an export left in `out` (bundle-export.ts), sorted as the resume names them. */
  const stagingIn = (out: string) =>
    existsSync(out)
      ? readdirSync(out)
          .filter((n) => n.startsWith('.bundle-'))
          .sort()
      : [];

  /**
   * A rehearsal in its own folder `name`, killed (polled every 10 ms) once its export's staging
   * folder appears. How late the kill lands depends on how busy the machine is: see exportWindow.
   */
  async function killedAsExportBegins(name: string) {
    const dir = join(root, name);
    const out = join(dir, 'out');
    const vault = await rehearsalVault(join(dir, 'vault'));
    const args = ['--out', out, '--cluster', join(dir, 'vault', 'cluster.json')];
    const killed = await rehearse(args, () => stagingIn(out).length > 0);
    return { dir, out, args, vault, killed };
  }

  /**
   * Which window of the export a kill landed in, read from what it left in DIR: `staging`, while
   * the bundle was written and checked in its staging folder or moved into DIR; `complete`, after
   * transcript.txt.asc (moved last) was in; `finished`, after the run removed its working folder.
   */
  function exportWindow(out: string): 'staging' | 'complete' | 'finished' {
    if (!existsSync(join(out, 'ceremony', 'journal.jsonl'))) return 'finished';
    return existsSync(join(out, 'transcript.txt.asc')) ? 'complete' : 'staging';
  }

  /** The bundle's files and their bytes, to show a resume left them as they were. */
  const bundleBytes = (out: string) =>
    ['journal.jsonl', 'transcript.txt', 'transcript.txt.sig', 'transcript.txt.asc'].map((f) =>
      readFileSync(join(out, f), 'hex'),
    );

  it('resumes a rehearsal killed for real as its export began, as the window the kill landed in requires', async () => {
    const { dir, out, args, vault, killed } = await killedAsExportBegins('export-real');
    try {
      const window = exportWindow(out);
      // Which window was hit, for whoever reads the run: each has its own outcome, asserted below.
      console.info(`kill as the export began landed in the '${window}' window (${killed.signal ?? 'no kill'})`);
      const staging = stagingIn(out);
      const lines = [...killed.lines];
      if (window === 'finished') {
        // The run outran the kill: it finished, or was killed once nothing was left to resume.
        expect(killed.signal === 'SIGKILL' || killed.code === 0, lines.join('\n')).toBe(true);
        const resumed = await rehearse([...args, '--resume']);
        expect(resumed.code).toBe(2);
        expect(resumed.lines).toEqual([
          `stderr: vault-ceremony rehearse: there is no ceremony journal at ${join(out, 'ceremony', 'journal.jsonl')} to resume`,
        ]);
      } else {
        expect(killed.signal, lines.join('\n')).toBe('SIGKILL');
        const moved = BUNDLE_ENTRIES.filter((name) => existsSync(join(out, name)));
        const before = window === 'complete' ? bundleBytes(out) : [];
        // No transcript.txt.asc: the staging folder it is moved from is still there.
        if (window === 'staging') expect(staging).toHaveLength(1);
        const resumed = await rehearse([...args, '--resume']);
        lines.push(...resumed.lines);
        expect(resumed.code, resumed.lines.join('\n')).toBe(0);
        expect(resumed.lines.filter((l) => /^(Removed what the interrupted export|The bundle in)/.test(l))).toEqual([
          window === 'staging'
            ? `Removed what the interrupted export left in ${out}: ${[...moved, ...staging].join(', ')} (no transcript.txt.asc, so no bundle was complete)`
            : `The bundle in ${out} was already complete from the interrupted run: it verifies and is this ceremony's signed record${staging.length > 0 ? `; removed its staging folder ${staging.join(', ')}` : ''}`,
        ]);
        if (window === 'complete') expect(bundleBytes(out)).toEqual(before);
        expect(resumed.lines).toContain('DR secondary promoted: yes');
        expect(resumed.lines.some((l) => l.startsWith('Removed the working folder'))).toBe(true);
      }
      expect(readdirSync(out).sort(), lines.join('\n')).toEqual(BUNDLE_FILES);
      const verified = await verifyAnchored(out, writeBundleKeyring(join(dir, 'signers.asc'), out));
      expect(verified.output).toMatch(/VERIFIED/);
      expect(verified.code).toBe(0);
    } finally {
      await vault.close();
    }
  }, 120_000);

  /**
   * A rehearsal killed with everyone signed and its export's leftovers removed, as if the kill had
   * come before the export began (a window too short to kill in reliably): the state the laid-out
   * cases below start from. Killed as its export began; a kill the run outran is tried anew.
   */
  async function killedBeforeExport(name: string) {
    for (let attempt = 1; ; attempt++) {
      const run = await killedAsExportBegins(`${name}-${attempt}`);
      if (exportWindow(run.out) !== 'finished') {
        for (const entry of [...BUNDLE_ENTRIES, ...stagingIn(run.out)])
          rmSync(join(run.out, entry), { recursive: true, force: true });
        return run;
      }
      await run.vault.close();
      if (attempt === 3) expect.fail(`the rehearsal ended before the kill, 3 times:\n${run.killed.lines.join('\n')}`);
    }
  }

  /**
   * What a kill after the export moved transcript.txt.asc in leaves: the run killed before its export
   * is copied and the copy resumed to its end, and that bundle, the one the killed export would have
   * written, is moved into the killed run's folder beside its working journal.
   */
  async function completeBundleLeftBehind(name: string) {
    const { dir, out, args, vault } = await killedBeforeExport(name);
    try {
      const twin = join(dir, 'twin');
      cpSync(out, twin, { recursive: true });
      const finished = await rehearse([...args.map((a) => (a === out ? twin : a)), '--resume']);
      expect(finished.code, finished.lines.join('\n')).toBe(0);
      for (const entry of BUNDLE_FILES) cpSync(join(twin, entry), join(out, entry), { recursive: true });
      return { out, args, vault };
    } catch (e) {
      await vault.close();
      throw e;
    }
  }

  it('finishes a rehearsal killed after its bundle was complete, before the staging folder was removed', async () => {
    const { out, args, vault } = await completeBundleLeftBehind('export-complete-staging');
    try {
      // The staging folder holds the bundle just moved out of it, as bundle-export.ts leaves it then.
      const staging = '.bundle-Xk9q2w';
      for (const entry of BUNDLE_FILES) cpSync(join(out, entry), join(out, staging, entry), { recursive: true });
      const before = bundleBytes(out);
      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(0);
      expect(resumed.lines.filter((l) => l.includes('already complete'))).toEqual([
        `The bundle in ${out} was already complete from the interrupted run: it verifies and is this ceremony's signed record; removed its staging folder ${staging}`,
      ]);
      expect(resumed.lines).toContain('DR secondary promoted: yes');
      expect(resumed.lines.some((l) => l.startsWith('bundle verified: yes'))).toBe(true);
      expect(resumed.lines.some((l) => l.startsWith('Removed the working folder'))).toBe(true);
      expect(bundleBytes(out)).toEqual(before);
      expect((await verifyBundle(out)).problems).toEqual([]);
      expect(readdirSync(out).sort()).toEqual(BUNDLE_FILES);
    } finally {
      await vault.close();
    }
  }, 120_000);

  it('finishes a rehearsal killed after its export returned, before the working folder was removed', async () => {
    const { out, args, vault } = await completeBundleLeftBehind('export-complete-working');
    try {
      // The export returned: the bundle's export journaled, as the service does.
      const report = await verifyBundle(out);
      await appendToWorkingJournal(out, {
        ...SYSTEM,
        step: 'finished',
        type: 'bundle-exported',
        details: { dir: out, head: String(report.head), events: Number(report.events) },
      });
      const before = bundleBytes(out);

      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(0);
      expect(resumed.lines.filter((l) => l.includes('already complete'))).toEqual([
        `The bundle in ${out} was already complete from the interrupted run: it verifies and is this ceremony's signed record`,
      ]);
      expect(resumed.lines.some((l) => l.startsWith('bundle verified: yes'))).toBe(true);
      expect(bundleBytes(out)).toEqual(before);
      expect(readdirSync(out).sort()).toEqual(BUNDLE_FILES);
    } finally {
      await vault.close();
    }
  }, 120_000);

  it('finishes with its complete bundle a rehearsal whose signing refused a key, keeping the working folder for it', async () => {
    const { out, args, vault } = await completeBundleLeftBehind('export-complete-refused');
    try {
      // A key refused while people signed: journaled after the signed head, where no signature
      // reaches, so a normal finish keeps the working folder and says why (working-journal.ts).
      const working = join(out, 'ceremony', 'journal.jsonl');
      const signer = journalOf(out).find((e) => e.type === 'service-result' && e.step === 'sign-transcript')!;
      await appendToWorkingJournal(out, {
        actor: signer.actor,
        role: signer.role,
        step: 'sign-transcript',
        type: 'key-refused',
        details: { kind: 'bad-passphrase' },
      });
      const note = readFileSync(working, 'utf8').trimEnd().split('\n').length;
      const before = bundleBytes(out);

      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(0);
      expect(resumed.lines.filter((l) => /^(The bundle in|Kept the working folder|Removed)/.test(l))).toEqual([
        `The bundle in ${out} was already complete from the interrupted run: it verifies and is this ceremony's signed record`,
        `Kept the working folder ${join(out, 'ceremony')}: event ${note} of ${working}, after the signed head, records 'key-refused', which no signature covers; read it there (verify will name the folder as not signed)`,
      ]);
      expect(resumed.lines.some((l) => l.startsWith('bundle verified: yes'))).toBe(true);
      expect(bundleBytes(out)).toEqual(before);
      expect(readdirSync(out).sort()).toEqual([...BUNDLE_FILES, 'ceremony'].sort());
      expect(journalOf(out).at(-1)).toMatchObject({ type: 'key-refused', actor: signer.actor });
      const verified = await verifyAnchored(out, writeBundleKeyring(join(root, 'export-refused-signers.asc'), out));
      expect(verified.code, verified.output).toBe(0);
      expect(verified.output).toMatch(/WARNING:.*ceremony/);
    } finally {
      await vault.close();
    }
  }, 120_000);

  it('refuses, as before, a resume whose folder holds a complete bundle of another ceremony', async () => {
    const { out, args, vault } = await killedBeforeExport('export-other-bundle');
    try {
      // As a kill after that bundle's transcript.txt.asc moved in would leave it, beside its staging folder.
      cpSync(join(ROOT, 'test/fixtures/bundles/promotion-6'), out, { recursive: true });
      cpSync(join(ROOT, 'test/fixtures/bundles/promotion-6'), join(out, '.bundle-Xk9q2w'), { recursive: true });
      const before = readdirSync(out).sort();
      const bytes = bundleBytes(out);

      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(1);
      expect(resumed.lines.join('\n')).toMatch(/already holds transcript\.txt\.asc.*a bundle is never overwritten/);
      expect(resumed.lines.some((l) => l.includes('already complete'))).toBe(false);
      expect(readdirSync(out).sort()).toEqual(before);
      expect(bundleBytes(out)).toEqual(bytes);
    } finally {
      await vault.close();
    }
  }, 120_000);

  it('resumes a failback killed while the promotion setting its scene ran, then fails back', async () => {
    const dir = join(root, 'failback-setting');
    const vault = await rehearsalVault(join(dir, 'vault'));
    try {
      const args = ['--kind', 'failback', '--out', join(dir, 'out'), '--cluster', join(dir, 'vault', 'cluster.json')];
      const killed = await rehearse([...args, '--pace', String(PACE_MS)], (lines) =>
        lines.some((l) => /\[promotion\] .*accepted: 1 of/.test(l)),
      );
      expect(killed.signal, killed.lines.join('\n')).toBe('SIGKILL');
      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(0);
      expect(resumed.lines.some((l) => l.startsWith('old primary follows the new primary: yes'))).toBe(true);
      expect((await verifyBundle(join(dir, 'out', 'promotion'))).valid).toBe(true);
    } finally {
      await vault.close();
    }
  }, 120_000);

  it('resumes a failback killed while its secondary-token was with Vault, revoking the id that request registered', async () => {
    const dir = join(root, 'failback-secondary-token');
    const out = join(dir, 'out');
    const vault = await rehearsalVault(join(dir, 'vault'));
    try {
      // Vault registers the id at once but holds its answer (the activation token) back: the kill lands before it.
      vault.faults.delayResponses('drSecondary', 10_000, { path: /dr\/primary\/secondary-token$/, times: 1 });
      const args = ['--kind', 'failback', '--out', out, '--cluster', join(dir, 'vault', 'cluster.json')];
      // Killed once the new primary has registered the id: the request is journaled, its answer not.
      const killed = await rehearse([...args, '--pace', String(PACE_MS)], () => {
        const dr = vault.cluster('drSecondary').replication.dr;
        return dr.mode === 'primary' && dr.secondaries.has(FAILBACK_SECONDARY_ID);
      });
      expect(killed.signal, killed.lines.join('\n')).toBe('SIGKILL');
      vault.faults.clearResponseFaults();
      const resumed = await rehearse([...args, '--resume']);
      expect(resumed.code, resumed.lines.join('\n')).toBe(0);
      expect(resumed.lines.some((l) => l.startsWith('old primary follows the new primary: yes'))).toBe(true);
      expect((await verifyBundle(out)).problems).toEqual([]);
      const events = journalOf(out);
      const at = events.findIndex((e) => e.type === 'interruption');
      const sent = (path: string) =>
        events.slice(at).filter((e) => e.type === 'vault-request' && e.details['path'] === path);
      expect(sent('sys/replication/dr/primary/revoke-secondary')).toHaveLength(1);
      expect(sent(SECONDARY_TOKEN)).toHaveLength(1);
    } finally {
      await vault.close();
    }
  }, 120_000);

  it('resumes after a kill while a share was with Vault and its answer not yet journaled', async () => {
    const events = await killAndResume(
      'mid-call',
      (_, out) => {
        try {
          return journalOf(out).some((e) => e.type === 'vault-request' && e.details['path'] === UPDATE);
        } catch {
          return false;
        }
      },
      // Vault takes the share at once but holds its answer back, so the kill lands before it is journaled.
      (vault) =>
        vault.faults.delayResponses('drSecondary', 10_000, { path: /generate-operation-token\/update$/, times: 1 }),
    );
    const at = events.findIndex((e) => e.type === 'interruption');
    const sentBefore = events.slice(0, at).filter((e) => e.type === 'vault-request' && e.details['path'] === UPDATE);
    const answeredBefore = events
      .slice(0, at)
      .filter((e) => e.type === 'vault-response' && e.details['path'] === UPDATE);
    expect(sentBefore.length).toBe(answeredBefore.length + 1);
    // Vault's progress moved without the journal knowing: the resumed ceremony noticed and restarted.
    expect(events.slice(at).some((e) => e.type === 'deviation')).toBe(true);
  }, 120_000);
});
