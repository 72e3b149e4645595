// @tier integration
/**
 * What a bundle can show an auditor beside a verified record without failing it (issue 12), in
 * the installed `vault-ceremony verify` and the viewer's real handler and worker alike:
 * - files no signature covers, put in the bundle folder: a README.txt or OUTCOME.txt saying
 *   "Outcome: ABORTED", a hidden file, a sub-folder, a symlink, a FIFO, a name with terminal
 *   escapes, thousands of files. Before, verify said VERIFIED without a word about them; now the
 *   verdict (its exit code a fixed interface) stands and each is named as not signed and not
 *   checked, through the one output filter, the listing bounded. In signers/ they fail. A name
 *   that looks like a checked file's (trаnscript.txt, a Cyrillic а) was named as it looks, as if
 *   the real transcript.txt were unsigned; it is now spelled in ASCII beside it.
 * - times an honest laptop can write but that are odd: a record dated days after the verifying
 *   computer's clock (the laptop's clock was ahead), a transcript signed before its record closed
 *   (the clock was set back in between). They are warned of, not failed: an air-gapped laptop's
 *   clock may be wrong or stepped by hand. (Times going back between events, which the journal
 *   writer never writes, fail: test/security/record-replay-forgery.test.ts.)
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptBundle } from '../../shared/ipc/ipc-contract';
import { visibleText } from '../../shared/record/visible-text';
import { createHandlerRegistry, type ChannelHandlers } from '../../electron/app/ipc/handler-registry';
import { transcriptHandlers } from '../../electron/app/ipc/transcript-handlers';
import { builtBundleVerifier, builtCli } from '../support/built-programs';
import { reauthorised, signedBundle } from '../support/doctored-bundle';
import { rehearsePromotion, type RehearsedPromotion } from '../support/rehearsed-promotion';
import { makeBundle, makeSigner, threeSigners, type TestBundle, type TestSigner } from '../support/transcript-bundle';
import type { JournalEvent } from '../../shared/record/journal-event';

const ROOT = join(import.meta.dirname, '..', '..');
const APP = { url: 'app://vault-ceremony/index.html', isMainFrame: true };
const EXIT_OF_VERDICT: Record<string, number> = { anchored: 0, unanchored: 3, failed: 1 };
const DAY = 86_400_000;

let fresh: TestBundle;
let copies = 0;

beforeAll(async () => void (fresh = await makeBundle(await threeSigners())), 60_000);
afterAll(() => fresh.dispose());

/** A copy of the fresh bundle, changed by `forge`. */
function forged(forge: (dir: string) => void): string {
  const dir = join(fresh.root, `copy-${++copies}`);
  cpSync(fresh.dir, dir, { recursive: true });
  forge(dir);
  return dir;
}

function keyringOf(people: readonly TestSigner[]): string {
  const path = join(fresh.root, `auditor-keys-${++copies}.asc`);
  writeFileSync(path, people.map((s) => s.publicKey).join(''));
  return path;
}

interface Seen {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The CLI's WARNING lines, without the prefix. */
  readonly warnings: string[];
  readonly viewer: TranscriptBundle;
}

/**
 * What the auditor sees, from the built command (killed after 10 s) and from the viewer's handler,
 * with the auditor's keyring or without; the two must agree on the verdict and the warnings.
 */
async function seen(dir: string, keyring?: string): Promise<Seen> {
  const keyrings = keyring ? [keyring] : [];
  const argv = [builtCli(), 'verify', dir, ...keyrings.flatMap((k) => ['--keyring', k])];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, timeout: 10_000 });
  const registry = createHandlerRegistry(transcriptHandlers(builtBundleVerifier()) as ChannelHandlers, {
    allowedOrigins: ['app://vault-ceremony'],
  });
  const opened = await registry.invoke('transcript.open', { dir, keyrings }, APP);
  if (!opened.ok) throw new Error(opened.error.message);
  const viewer = opened.value as TranscriptBundle;
  const stdout = r.stdout.toString();
  const warnings = stdout
    .split('\n')
    .filter((line) => line.startsWith('WARNING: '))
    .map((line) => line.slice('WARNING: '.length));
  expect(r.status, r.stderr.toString()).toBe(EXIT_OF_VERDICT[viewer.verdict]);
  expect(warnings).toEqual(viewer.warnings.map((w) => visibleText(w.message)));
  return { code: r.status, stdout, stderr: r.stderr.toString(), warnings, viewer };
}

describe('files the signatures do not cover', () => {
  it('the fresh bundle: no warning', async () => {
    const { code, warnings } = await seen(fresh.dir);
    expect(code).toBe(3);
    expect(warnings).toEqual([]);
  });

  it('a README.txt and an OUTCOME.txt saying otherwise: the verdict stands, both named as NOT signed', async () => {
    const dir = forged((dir) => {
      writeFileSync(join(dir, 'README.txt'), 'Outcome: ABORTED, see note\n');
      writeFileSync(join(dir, 'OUTCOME.txt'), 'ABORTED\n');
    });
    for (const [keyring, code] of [
      [undefined, 3],
      [keyringOf(fresh.signers), 0],
    ] as const) {
      const r = await seen(dir, keyring);
      expect(r.code).toBe(code);
      expect(r.warnings).toEqual([
        expect.stringMatching(
          /^2 entries in the bundle folder are NOT signed and NOT checked: "OUTCOME.txt", "README.txt"\. /,
        ),
      ]);
      expect(r.viewer.warnings.map((w) => w.kind)).toEqual(['unsigned-entries']);
      // Last on stdout, right under the verdict.
      expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^WARNING: 2 entries/);
    }
  });

  it('hidden files, a sub-folder, a symlink and a FIFO: each named for what it is, none followed or opened', async () => {
    const dir = forged((dir) => {
      writeFileSync(join(dir, '.DS_Store'), '');
      writeFileSync(join(dir, '._transcript.txt'), 'Outcome: ABORTED\n');
      mkdirSync(join(dir, 'notes'));
      writeFileSync(join(dir, 'notes', 'OUTCOME.txt'), 'ABORTED\n');
      symlinkSync('/etc/passwd', join(dir, 'link'));
      execFileSync('mkfifo', [join(dir, 'pipe')]);
    });
    const { code, warnings } = await seen(dir);
    expect(code).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      '5 entries in the bundle folder are NOT signed and NOT checked: ".DS_Store", "._transcript.txt", "link" (a symbolic link, not followed), "notes/" (a folder: nothing in it is checked), "pipe" (not a regular file). ',
    );
  });

  it('the bundle folder given as a link to it: its entries are named all the same', async () => {
    const dir = forged((dir) => writeFileSync(join(dir, 'README.txt'), 'Outcome: ABORTED, see note\n'));
    const link = `${dir}-link`;
    symlinkSync(dir, link);
    const { code, warnings } = await seen(link);
    expect(code).toBe(3);
    expect(warnings).toEqual([
      expect.stringMatching(/^1 entry in the bundle folder is NOT signed and NOT checked: "README.txt"\. /),
    ]);
  });

  it('a name with terminal escapes and bidi overrides reaches neither output raw', async () => {
    const name = '\u001b[2K\u001b[32mVERIFIED\u202e.txt';
    const dir = forged((dir) => writeFileSync(join(dir, name), 'x'));
    const { stdout, stderr, warnings, viewer } = await seen(dir);
    for (const hidden of ['\u001b', '\u202e']) expect(stdout + stderr).not.toContain(hidden);
    expect(warnings[0]).toContain('"\\u001b[2K\\u001b[32mVERIFIED\\u202e.txt"');
    expect(visibleText(viewer.warnings[0]!.message)).toBe(warnings[0]);
  });

  it('look-alikes of checked files (a Cyrillic а, a fullwidth full stop): named, and spelled in ASCII', async () => {
    const dir = forged((dir) => {
      writeFileSync(join(dir, 'tr\u0430nscript.txt'), 'Outcome:        ABORTED\n');
      writeFileSync(join(dir, 'journal\uff0ejsonl'), '');
    });
    const { code, warnings } = await seen(dir);
    expect(code).toBe(3);
    expect(warnings[0]).toContain(
      'NOT checked: "journal\uff0ejsonl" (spelled "journal\\uff0ejsonl"), "tr\u0430nscript.txt" (spelled "tr\\u0430nscript.txt"). ',
    );
  });

  it('5,000 files: a few named, the rest counted, the listing stopped at 1,000', async () => {
    const dir = forged((dir) => {
      for (let i = 0; i < 5000; i++) writeFileSync(join(dir, `f${String(i).padStart(4, '0')}`), '');
    });
    const { code, warnings } = await seen(dir);
    expect(code).toBe(3);
    expect(warnings[0]).toMatch(
      /^at least [\d,]+ entries in the bundle folder are NOT signed and NOT checked: ("f\d{4}", ){5}and more: the folder holds over 1,000 entries, not all listed\. /,
    );
  }, 30_000);

  it('extra files in signers/, hidden or not: failed, as before', async () => {
    for (const extra of ['.DS_Store', 'README.txt']) {
      const dir = forged((dir) => writeFileSync(join(dir, 'signers', extra), 'x'));
      const { code, stderr, viewer } = await seen(dir, keyringOf(fresh.signers));
      expect(code).toBe(1);
      expect(stderr).toContain(`signers/${extra} is not a <name>.pub.asc public key file`);
      expect(viewer.problems.map((p) => p.kind)).toEqual(['signer-invalid']);
    }
  });
});

describe('times an honest laptop can write', () => {
  it('a laptop clock three days ahead: verified as before, the record and each signature named as dated after this computer’s clock', async () => {
    // Signed a minute after the record closes, as people sign after it: the keys are made first, and on a
    // busy machine that took past the next whole second, which dated the signatures before the close.
    const ahead = new Date(Date.now() + 3 * DAY + 60_000);
    const life = { created: new Date(Date.now() - DAY), expires: new Date(Date.now() + 365 * DAY), signs: ahead };
    const people = await Promise.all(fresh.signers.map((s) => makeSigner(s.name, undefined, life)));
    const future = await makeBundle(people, people, () => new Date(Date.now() + 3 * DAY));
    try {
      for (const [keyring, code] of [
        [undefined, 3],
        [keyringOf(people), 0],
      ] as const) {
        const r = await seen(future.dir, keyring);
        expect(r.code).toBe(code);
        expect(r.warnings).toEqual([
          expect.stringMatching(
            /^the journal's last event \(\d+, ceremony-finished\) is dated \S+, 3 days after this computer's clock: the ceremony laptop's clock was ahead, or this computer's is behind\. Times are the ceremony laptop's clock/,
          ),
          ...people.map((p, i) =>
            expect.stringMatching(
              new RegExp(`^signature ${i + 1}, by ${p.name}, is dated \\S+, 3 days after this computer's clock: `),
            ),
          ),
        ]);
      }
    } finally {
      future.dispose();
    }
  }, 30_000);

  it('a clock set back between closing the record and signing it: verified as before, each signature named', async () => {
    const back = new Date(Date.now() - DAY);
    const life = { created: new Date(Date.now() - 2 * DAY), expires: new Date(Date.now() + 365 * DAY), signs: back };
    const people = await Promise.all(fresh.signers.map((s) => makeSigner(s.name, undefined, life)));
    const setBack = await makeBundle(people);
    try {
      const r = await seen(setBack.dir, keyringOf(people));
      expect(r.code).toBe(0);
      expect(r.warnings).toEqual(
        people.map((p, i) =>
          expect.stringMatching(
            new RegExp(
              `^signature ${i + 1}, by ${p.name}, is dated \\S+, 1 day before the record it signs was closed \\(\\S+\\): the laptop signs only after closing the record, so its clock was set back in between\\.`,
            ),
          ),
        ),
      );
    } finally {
      setBack.dispose();
    }
  }, 30_000);
});

describe('authorisations signed at odd times', () => {
  let rehearsed: RehearsedPromotion;
  beforeAll(async () => {
    mkdirSync(join(fresh.root, 'promotion'));
    rehearsed = await rehearsePromotion(join(fresh.root, 'promotion'));
  }, 120_000);
  /** `event` as if the laptop's clock had read `ms` later when it wrote it. */
  const moved = (e: JournalEvent, ms: number): JournalEvent => ({
    ...e,
    time: new Date(Date.parse(e.time) + ms).toISOString(),
  });
  const authorisation = (role: string) =>
    new RegExp(`^the ${role} '[^']+''s authorisation of "promote" at 'promote' is dated \\S+, 1 day `);

  it('the clock set forward a day as the promotion was asked for: each authorisation named as signed before it was asked for', async () => {
    const asked = rehearsed.events.findIndex((e) => e.type === 'authorisation-requested');
    const dir = join(fresh.root, 'forward');
    await signedBundle(
      dir,
      rehearsed.events.map((e, i) => (i < asked ? e : moved(e, DAY))),
      rehearsed.people,
    );
    const { code, warnings } = await seen(dir, rehearsed.keyring);
    expect(code).toBe(0);
    const signedEarly = warnings.filter((w) =>
      / before the laptop asked for it \(\S+\): the laptop asks, then the person signs, so its clock was set back in between\. /.test(
        w,
      ),
    );
    expect(signedEarly).toEqual([
      expect.stringMatching(authorisation('administrator')),
      expect.stringMatching(authorisation('witness')),
    ]);
  }, 30_000);

  it('the clock set back a day before the promotion was recorded: each authorisation named as signed after it was recorded', async () => {
    const dir = join(fresh.root, 'back');
    const earlier = await reauthorised(
      rehearsed.events.map((e) => moved(e, -DAY)),
      rehearsed.people,
    );
    await signedBundle(dir, earlier, rehearsed.people);
    const { code, warnings } = await seen(dir, rehearsed.keyring);
    expect(code).toBe(0);
    expect(warnings).toEqual([
      expect.stringMatching(authorisation('administrator')),
      expect.stringMatching(authorisation('witness')),
    ]);
    for (const w of warnings)
      expect(w).toMatch(
        / after the laptop recorded it \(\S+\): the person signs, then the laptop records, so its clock was set back in between\. /,
      );
  }, 30_000);
});
