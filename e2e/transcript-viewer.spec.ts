/**
 * The transcript viewer on real signed bundles, by clicks and typing in Chromium; and on hostile
 * ones, whose strings must reach the screen escaped, never able to hide or reorder what it shows.
 */
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { signedBundle } from '../test/support/doctored-bundle';
import { rehearsePromotion } from '../test/support/rehearsed-promotion';
import {
  CEREMONY_ID,
  makeBundle,
  makeSigner,
  misplacedAnswers,
  planEvent,
  sealedJournal,
  threeSigners,
  type TestBundle,
} from '../test/support/transcript-bundle';
import { expect, screenshotPath, test, type Harness } from './fixtures';
import { axe, docShot } from './wizard-helpers';
import type { Locator, Page } from '@playwright/test';

async function openScreen(page: Page, harness: Harness, name: string) {
  await page.goto(`${harness.origin}/`);
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeFocused();
}

test('transcript viewer: a good bundle verified with its signers and text, and a tampered one with its problem named', async ({
  page,
  harness,
}) => {
  const bundle = await makeBundle(await threeSigners());
  try {
    await openScreen(page, harness, 'Transcript viewer');
    harness.nextDirectory.set('transcript-bundle', bundle.dir);
    await page.getByRole('button', { name: 'Choose bundle folder' }).click();
    await expect(page.getByLabel('Bundle folder', { exact: true })).toHaveValue(bundle.dir);
    await page.getByRole('button', { name: 'Open and verify' }).click();

    const verdict = page.getByTestId('bundle-verdict');
    await expect(verdict.getByRole('heading')).toHaveText('⚠ Consistent, but NOT anchored: who signed is unproven');
    await expect(verdict).toHaveAttribute('data-verdict', 'unanchored');
    const ring = join(bundle.root, 'auditor-keys.asc');
    writeFileSync(ring, bundle.signers.map((s) => s.publicKey).join(''));
    await page.getByLabel("Signers' public keys (optional)", { exact: true }).fill(ring);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(verdict.getByRole('heading')).toHaveText('✔ Verified: signers anchored by your keys');
    await expect(verdict).toHaveAttribute('data-verdict', 'anchored');
    await expect(verdict).toContainText('dc2-2025-01-31 REHEARSAL');
    // Whom the auditor's keyring knows each key as, beside the plan's name (which the signers wrote).
    for (const [i, signer] of bundle.signers.entries())
      await expect(page.getByTestId('bundle-signers').locator('tbody tr').nth(i)).toContainText(
        `${signer.name} <${signer.name}@example.org>`,
      );
    const signatures = page.getByTestId('bundle-signatures');
    for (const [i, signer] of bundle.signers.entries()) {
      const row = signatures.locator('tbody tr').nth(i);
      await expect(row.locator('th')).toHaveText(signer.name);
      await expect(row).toContainText(signer.fingerprint.toUpperCase().slice(0, 4));
      await expect(row).toContainText('Good');
    }
    await expect(page.getByTestId('bundle-text')).toContainText('dc2-2025-01-31');
    await page.screenshot({ path: screenshotPath('transcript-viewer'), fullPage: true });
    await docShot(page, 'transcript-viewer');

    const tampered = join(bundle.root, 'tampered');
    cpSync(bundle.dir, tampered, { recursive: true });
    appendFileSync(join(tampered, 'journal.jsonl'), '{"seq":99}\n');
    await page.getByLabel('Bundle folder', { exact: true }).fill(tampered);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(verdict.getByRole('heading')).toHaveText('✘ NOT VERIFIED');
    await expect(page.getByTestId('bundle-problems')).toContainText('journal-invalid: journal.jsonl');
    await expect(page.getByRole('alert')).toContainText('This text did not verify');
    await page.screenshot({ path: screenshotPath('transcript-viewer-tampered'), fullPage: true });

    // 2,000 misplaced Vault answers: ten of that kind listed, the rest counted, the others in sight.
    const misplaced = sealedJournal(CEREMONY_ID, [planEvent(bundle.signers), ...misplacedAnswers(2_000)]);
    writeFileSync(join(tampered, 'journal.jsonl'), misplaced.bytes);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    const problems = page.getByTestId('bundle-problems');
    await expect(problems).toContainText("… and 1,991 more 'record-inconsistent' problems besides the 10 shown");
    await expect(problems).toContainText('the transcript states');
    await expect(page.getByTestId('bundle-verdict')).toContainText('2,002 problems were found');
    expect(await problems.locator('li').count()).toBeLessThan(20);

    await page.getByLabel('Bundle folder', { exact: true }).fill(join(bundle.root, 'nowhere'));
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(page.getByRole('alert')).toContainText('the folder does not exist');
  } finally {
    bundle.dispose();
  }
});

/**
 * What no person should be shown raw, told by Unicode's properties rather than the filter's list:
 * controls, format characters (bidi, zero-width), private use, separators, spaces but U+0020 and
 * default-ignorable code points (which Chromium draws as nothing). Line feeds are how text breaks.
 */
const UNSEEN = String.raw`[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]|[^\P{Zs} ]`;

/** Each unseen character in the page's text or attributes, as `U+XXXX in <where>`. */
async function unseenOnScreen(page: Page): Promise<string[]> {
  return page.evaluate((source) => {
    const unseen = new RegExp(source, 'gu');
    const found: string[] = [];
    const check = (text: string, where: string) => {
      for (const [ch] of text.replace(/\n/g, '').matchAll(unseen))
        found.push(`U+${ch.codePointAt(0)!.toString(16)} in ${where}`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node instanceof Element) for (const a of node.attributes) check(a.value, `${node.tagName} ${a.name}`);
      else check(node.nodeValue ?? '', node.parentElement?.tagName ?? 'text');
    }
    return found;
  }, UNSEEN);
}

interface Viewer {
  readonly bundle: TestBundle;
  /** A copy of the bundle with a line appended to its journal. */
  readonly tampered: string;
  /** A keyring of the bundle's signers' keys, as the auditor would bring it. */
  readonly ring: string;
  readonly folder: Locator;
  readonly keys: Locator;
  readonly verdict: Locator;
  /** Opens the good bundle anchored by `ring`. */
  openAnchored(): Promise<void>;
}

/** Runs `use` on the transcript viewer, with `bundle` (a fresh signed one by default), then disposes of it. */
async function withViewer(
  page: Page,
  harness: Harness,
  use: (viewer: Viewer) => Promise<void>,
  bundle?: TestBundle,
): Promise<void> {
  const b = bundle ?? (await makeBundle(await threeSigners()));
  try {
    await openScreen(page, harness, 'Transcript viewer');
    const tampered = join(b.root, 'tampered');
    cpSync(b.dir, tampered, { recursive: true });
    appendFileSync(join(tampered, 'journal.jsonl'), '{"seq":99}\n');
    const ring = join(b.root, 'auditor-keys.asc');
    writeFileSync(ring, b.signers.map((s) => s.publicKey).join(''));
    const folder = page.getByLabel('Bundle folder', { exact: true });
    const keys = page.getByLabel("Signers' public keys (optional)", { exact: true });
    const verdict = page.getByTestId('bundle-verdict');
    const openAnchored = async () => {
      await folder.fill(b.dir);
      await keys.fill(ring);
      await page.getByRole('button', { name: 'Open and verify' }).click();
      await expect(verdict).toHaveAttribute('data-verdict', 'anchored');
    };
    await use({ bundle: b, tampered, ring, folder, keys, verdict, openAnchored });
  } finally {
    b.dispose();
  }
}

test('transcript viewer: a bundle’s hostile strings are shown escaped, never raw', async ({ page, harness }) => {
  const signers = await threeSigners();
  // A right-to-left override, a zero-width space and a default-ignorable musical symbol: each
  // makes a name look like another one, or reads backwards, if it reaches the screen raw.
  const names = ['alice\u202eecila', 'bob\u200b', 'carol\u{1d173}'];
  const bundle = await makeBundle(signers);
  // Doctored: a plan naming people so (which no plan may), and a transcript.txt saying so, the
  // signed transcript unreadable so the viewer shows that text as found.
  const hostile = signers.map((s, i) => ({ name: names[i]!, fingerprint: s.fingerprint }));
  const journal = readFileSync(join(bundle.dir, 'journal.jsonl'));
  writeFileSync(join(bundle.dir, 'journal.jsonl'), sealedJournal(CEREMONY_ID, [planEvent(hostile)]).bytes);
  writeFileSync(join(bundle.dir, 'transcript.txt.asc'), 'not a signed transcript');
  writeFileSync(
    join(bundle.dir, 'transcript.txt'),
    `Participants\n${names.join('\n')}\nby \u001b[2K\u001b[32mverified\u2066 fenced\u202e${'x'.repeat(5000)}\n`,
  );
  await withViewer(
    page,
    harness,
    async ({ folder, verdict }) => {
      await folder.fill(bundle.dir);
      await page.getByRole('button', { name: 'Open and verify' }).click();
      await expect(verdict).toHaveAttribute('data-verdict', 'failed');
      await expect(page.getByTestId('bundle-problems')).toContainText(
        'witnesses[0].name must be visible characters only',
      );
      const text = page.getByTestId('bundle-text');
      await expect(text).toContainText('alice\\u202eecila');
      await expect(text).toContainText('carol\\ud834\\udd73');
      await expect(text).toContainText('by \\u001b[2K\\u001b[32mverified\\u2066 fenced\\u202e');
      expect(await unseenOnScreen(page)).toEqual([]);

      // A stray file in signers/ is named in the problems, escaped too (the plan read again).
      writeFileSync(join(bundle.dir, 'journal.jsonl'), journal);
      writeFileSync(join(bundle.dir, 'signers', 'evil\u001b[2K\u202e.txt'), 'x');
      await page.getByRole('button', { name: 'Open and verify' }).click();
      await expect(verdict).toHaveAttribute('data-verdict', 'failed');
      await expect(page.getByTestId('bundle-problems')).toContainText('signers/evil\\u001b[2K\\u202e.txt is not a');
      expect(await unseenOnScreen(page)).toEqual([]);

      // A long name without spaces breaks inside the verdict card: no part of a problem is out of sight.
      writeFileSync(join(bundle.dir, 'signers', 'x'.repeat(240)), 'x');
      await page.getByRole('button', { name: 'Open and verify' }).click();
      await expect(page.getByTestId('bundle-problems')).toContainText(`signers/${'x'.repeat(240)} is not a`);
      expect(await verdict.evaluate((card) => card.scrollWidth - card.clientWidth)).toBeLessThanOrEqual(0);
    },
    bundle,
  );
});

test('transcript viewer: a refusal names the folder escaped, and leaves no verdict on screen', async ({
  page,
  harness,
}) => {
  await withViewer(page, harness, async ({ bundle, folder, verdict, openAnchored }) => {
    await openAnchored();
    // A folder's name came with the bundle: U+202E would show 'bundle\u202etxt.exe' as 'bundleexe.txt'.
    await folder.fill(join(bundle.root, 'bundle\u202etxt.exe'));
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(page.getByRole('alert')).toContainText('bundle\\u202etxt.exe: the folder does not exist');
    await expect(verdict).toHaveCount(0);
    expect((await unseenOnScreen(page)).filter((where) => !where.endsWith('INPUT value'))).toEqual([]);
  });
});

test('transcript viewer: no verdict outlives the folder and keys it was for', async ({ page, harness }) => {
  await withViewer(page, harness, async ({ bundle, tampered, ring, folder, keys, verdict, openAnchored }) => {
    // Another folder or other keys, typed or chosen: the verdict on screen was for the old ones.
    await openAnchored();
    await folder.fill(tampered);
    await expect(verdict).toHaveCount(0);
    await openAnchored();
    await keys.fill('');
    await expect(verdict).toHaveCount(0);
    await openAnchored();
    harness.nextDirectory.set('transcript-bundle', tampered);
    await page.getByRole('button', { name: 'Choose bundle folder' }).click();
    await expect(folder).toHaveValue(tampered);
    await expect(verdict).toHaveCount(0);

    // Changed while the good bundle was still being verified: its answer, held back here until
    // then, comes back for fields that no longer say what it was for, and is not shown.
    await page.evaluate(() => {
      const bridge = window.__vaultCeremonyBridge!;
      const held = window as unknown as { release?: () => void };
      window.__vaultCeremonyBridge = async (channel, arg) => {
        const answer = await bridge(channel, arg);
        await new Promise<void>((resolve) => (held.release = resolve));
        return answer;
      };
    });
    await folder.fill(bundle.dir);
    await keys.fill(ring);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(page.getByRole('button', { name: 'Verifying…' })).toBeDisabled();
    await folder.fill(tampered);
    const held = await page.waitForFunction(() => (window as unknown as { release?: () => void }).release);
    await held.evaluate((release) => release!());
    await expect(page.getByRole('button', { name: 'Open and verify' })).toBeEnabled();
    await expect(verdict).toHaveCount(0);
  });
});

test('transcript viewer: each verdict, opened by keyboard, takes the focus, reads differently in words and colour and passes axe', async ({
  page,
  harness,
}) => {
  await withViewer(page, harness, async ({ bundle, tampered, ring, folder, keys, verdict }) => {
    const heading = page.getByTestId('bundle-verdict').getByRole('heading', { level: 2 });
    const colours = new Set<string>();
    for (const [dir, keyring, expected, title] of [
      [bundle.dir, '', 'unanchored', '⚠ Consistent, but NOT anchored: who signed is unproven'],
      [bundle.dir, ring, 'anchored', '✔ Verified: signers anchored by your keys'],
      [tampered, ring, 'failed', '✘ NOT VERIFIED'],
    ] as const) {
      await folder.fill(dir);
      await keys.fill(keyring);
      await folder.press('Enter');
      await expect(verdict).toHaveAttribute('data-verdict', expected);
      // Focus lands on the verdict, so a screen reader reads it out and it is on screen.
      await expect(heading).toBeFocused();
      await expect(heading).toHaveText(title);
      colours.add(await heading.evaluate((h) => getComputedStyle(h).color));
      await axe(page, `the ${expected} verdict`);
    }
    // Green, amber, red: an unanchored bundle's heading is not the colour of a failed one's.
    expect(colours.size).toBe(3);
  });
});

test('transcript viewer: files no signature covers and a clock set back are warned of under a verdict that stands', async ({
  page,
  harness,
}) => {
  const day = 86_400_000;
  const life = {
    created: new Date(Date.now() - 2 * day),
    expires: new Date(Date.now() + 365 * day),
    signs: new Date(Date.now() - day),
  };
  const signers = await Promise.all(['alice', 'bob', 'carol'].map((name) => makeSigner(name, undefined, life)));
  const bundle = await makeBundle(signers);
  writeFileSync(join(bundle.dir, 'README.txt'), 'Outcome: ABORTED, see note\n');
  writeFileSync(join(bundle.dir, 'OUTCOME\u001b[2K\u202e.txt'), 'ABORTED\n');
  await withViewer(
    page,
    harness,
    async ({ openAnchored, verdict }) => {
      await openAnchored();
      await expect(verdict).toContainText(
        '⚠ But read the 4 warnings below: this verdict covers only the signed record.',
      );
      const warnings = page.getByTestId('bundle-warnings');
      await expect(warnings.getByRole('heading', { level: 2 })).toHaveText('⚠ 4 warnings: not covered by the verdict');
      await expect(warnings.locator('li')).toHaveText([
        /^2 entries in the bundle folder are NOT signed and NOT checked: "OUTCOME\\u001b\[2K\\u202e\.txt", "README\.txt"\. /,
        /^signature 1, by alice, is dated \S+, 1 day before the record it signs was closed/,
        /^signature 2, by bob, /,
        /^signature 3, by carol, /,
      ]);
      expect(await unseenOnScreen(page)).toEqual([]);
      await axe(page, 'the warnings under a verdict');
      await page.screenshot({ path: screenshotPath('transcript-viewer-warnings'), fullPage: true });
    },
    bundle,
  );
});

test('transcript viewer: a rehearsal’s outcome and signed authorisations, each checked, as verify lists them', async ({
  page,
  harness,
}) => {
  test.setTimeout(180_000);
  const root = mkdtempSync(join(tmpdir(), 'viewer-authorisations-'));
  try {
    const { out, people, keyring: ring, events } = await rehearsePromotion(root);
    // The promotion's authorisation as the journal names it, with a right-to-left override added.
    const renamed = join(root, 'renamed');
    await signedBundle(
      renamed,
      events.map((e) =>
        e.type === 'step-authorised' ? { ...e, details: { ...e.details, action: 'promote\u202eerofeb' } } : e,
      ),
      people,
    );

    await openScreen(page, harness, 'Transcript viewer');
    const folder = page.getByLabel('Bundle folder', { exact: true });
    await folder.fill(out);
    await page.getByLabel("Signers' public keys (optional)", { exact: true }).fill(ring);
    await folder.press('Enter');
    const verdict = page.getByTestId('bundle-verdict');
    await expect(verdict).toHaveAttribute('data-verdict', 'anchored');
    await expect(verdict).toContainText('Outcomepromoted');
    const rows = page.getByTestId('bundle-authorisations').locator('tbody tr');
    await expect(rows).toHaveText([
      /^promote\s*promote\s*administrator\s*administrator.*Yes\s*Good$/,
      /^promote\s*promote\s*witness-1\s*witness.*Yes\s*Good$/,
    ]);
    await axe(page, 'the signed authorisations');

    await folder.fill(renamed);
    await folder.press('Enter');
    await expect(verdict).toHaveAttribute('data-verdict', 'failed');
    await expect(page.getByTestId('bundle-problems')).toContainText('"promote\\u202eerofeb", not the one signed');
    await expect(rows).toHaveText([/administrator.*Yes\s*BAD$/, /witness-1.*Yes\s*BAD$/]);
    expect((await unseenOnScreen(page)).filter((where) => !where.endsWith('INPUT value'))).toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('transcript viewer: a signature whose key has expired since it signed is good, and says so', async ({
  page,
  harness,
}) => {
  const day = 86_400_000;
  const now = Date.now();
  const life = {
    created: new Date(now - 730 * day),
    expires: new Date(now - 30 * day),
    signs: new Date(now - 365 * day),
  };
  const signers = [await makeSigner('alice', undefined, life), ...(await threeSigners()).slice(1)];
  const bundle = await makeBundle(signers);
  try {
    await openScreen(page, harness, 'Transcript viewer');
    const folder = page.getByLabel('Bundle folder', { exact: true });
    await folder.fill(bundle.dir);
    const ring = join(bundle.root, 'auditor-keys.asc');
    writeFileSync(ring, signers.map((s) => s.publicKey).join(''));
    await page.getByLabel("Signers' public keys (optional)", { exact: true }).fill(ring);
    await folder.press('Enter');
    await expect(page.getByTestId('bundle-verdict')).toHaveAttribute('data-verdict', 'anchored');
    await expect(page.getByTestId('bundle-signatures').locator('tbody tr')).toHaveText([
      /^alice.*Good\s*since: the key expired on \S+, after this signature$/,
      /^bob.*Good$/,
      /^carol.*Good$/,
    ]);
  } finally {
    bundle.dispose();
  }
});

test('transcript viewer: a slow verification can be stopped, and says the bundle is not verified', async ({
  page,
  harness,
}) => {
  await withViewer(page, harness, async ({ bundle, folder, keys, verdict }) => {
    // A keyring of thousands of keys in one armored block: seconds of parsing in the verifier.
    const filler = await openpgp.readKey({ armoredKey: (await makeSigner('filler')).publicKey });
    const binary = filler.write();
    const count = Math.floor((15 * 1024 * 1024) / filler.armor().length);
    const all = new Uint8Array(binary.length * count);
    for (let i = 0; i < count; i++) all.set(binary, i * binary.length);
    const ring = join(bundle.root, 'many-keys.asc');
    writeFileSync(
      ring,
      bundle.signers.map((s) => s.publicKey).join('') + openpgp.armor(openpgp.enums.armor.publicKey, all),
    );
    await folder.fill(bundle.dir);
    await keys.fill(ring);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(page.getByRole('button', { name: 'Verifying…' })).toBeDisabled();
    await page.getByRole('button', { name: 'Stop verifying' }).click();
    await expect(page.getByRole('alert')).toContainText('was stopped before it ended: the bundle is NOT verified');
    await expect(page.getByRole('button', { name: 'Open and verify' })).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Stop verifying' })).toHaveCount(0);
    await expect(verdict).toHaveCount(0);

    // Leaving the screen while it verifies stops it too: nothing is left running for nobody to read.
    await page.evaluate(() => {
      const bridge = window.__vaultCeremonyBridge!;
      const seen = window as unknown as { cancels?: unknown[] };
      seen.cancels = [];
      window.__vaultCeremonyBridge = async (channel, arg) => {
        const answer = await bridge(channel, arg);
        if (channel === 'transcript.cancel') seen.cancels!.push(answer);
        return answer;
      };
    });
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(page.getByRole('button', { name: 'Verifying…' })).toBeDisabled();
    await page
      .getByRole('navigation', { name: 'Screens' })
      .getByRole('button', { name: 'Connection profiles' })
      .click();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { cancels: unknown[] }).cancels))
      .toEqual([{ ok: true, value: { cancelled: true } }]);
  });
});

test('transcript viewer: a keyring key of many user IDs shows a few and counts the rest, as verify does', async ({
  page,
  harness,
}) => {
  await withViewer(page, harness, async ({ bundle, folder, keys, verdict }) => {
    // The auditor's copy of alice's key, with 50 names: 2,000 made the signers table 190,000 px tall.
    const privateKey = await openpgp.readPrivateKey({
      armoredKey: (bundle.signers[0]!.key as { armoredPrivateKey: string }).armoredPrivateKey,
    });
    const names = Array.from({ length: 50 }, (_, i) => ({ name: `alias ${i}`, email: `alias${i}@example.org` }));
    const many = await openpgp.reformatKey({ privateKey, userIDs: names, format: 'object' });
    const ring = join(bundle.root, 'many-names.asc');
    writeFileSync(
      ring,
      many.publicKey.armor() +
        bundle.signers
          .slice(1)
          .map((s) => s.publicKey)
          .join(''),
    );
    await folder.fill(bundle.dir);
    await keys.fill(ring);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(verdict).toHaveAttribute('data-verdict', 'anchored');
    await expect(page.getByTestId('bundle-signers').locator('tbody tr').first().locator('td').last()).toHaveText(
      'alias 0 <alias0@example.org>; alias 1 <alias1@example.org>; alias 2 <alias2@example.org> and 47 more',
    );
  });
});

test('transcript viewer: a 16 MB transcript.txt shows its verdict and the first 4 million characters', async ({
  page,
  harness,
}) => {
  test.setTimeout(120_000);
  await withViewer(page, harness, async ({ bundle, folder, verdict }) => {
    // Within the file cap, escaped to 96 million characters: shown whole, it crashed the renderer.
    writeFileSync(join(bundle.dir, 'transcript.txt.asc'), 'not a signed transcript');
    writeFileSync(join(bundle.dir, 'transcript.txt'), '\u0001'.repeat(16 * 1024 * 1024));
    await folder.fill(bundle.dir);
    await page.getByRole('button', { name: 'Open and verify' }).click();
    await expect(verdict).toHaveAttribute('data-verdict', 'failed', { timeout: 60_000 });
    await expect(verdict.getByRole('heading')).toHaveText('✘ NOT VERIFIED');
    await expect(page.getByTestId('bundle-text-unshown')).toHaveText(
      "Only the first 4,000,000 characters of the text are shown; the other 12,777,216 are not. No real ceremony's transcript is this long.",
    );
  });
});

test('transcript viewer: names of stacked accents draw nothing over the verdict', async ({ page, harness }) => {
  // A plan may name 'Alexandra' and 91 combining marks (any plan, not only a forged one): Chromium
  // stacks them 550 px above the line, across the verdict's heading, unless each cell clips them.
  const signers = await threeSigners();
  const names = ['Alexandra', 'Barbara', 'Cornelia'];
  const planned = signers.map((s, i) => ({ name: names[i]!.padEnd(100, '\u0344'), fingerprint: s.fingerprint }));
  const hostile = await makeBundle(signers, planned);
  // Without one key file: the problems, in the card under the heading, name its owner.
  const keyless = join(hostile.root, 'keyless');
  cpSync(hostile.dir, keyless, { recursive: true });
  rmSync(join(keyless, 'signers', 'carol.pub.asc'));
  try {
    await withViewer(page, harness, async ({ bundle, tampered, folder, verdict }) => {
      const heading = verdict.getByRole('heading', { level: 2 });
      const looks = async (dir: string, expected: string, problem: string) => {
        await folder.fill(dir);
        await page.getByRole('button', { name: 'Open and verify' }).click();
        await expect(verdict).toHaveAttribute('data-verdict', expected);
        await expect(verdict).toContainText(problem);
        await expect(heading).toBeFocused();
        return heading.screenshot({ animations: 'disabled' });
      };
      const unanchored = 'nothing you supplied vouches for those keys';
      expect(await looks(hostile.dir, 'unanchored', unanchored)).toEqual(
        await looks(bundle.dir, 'unanchored', unanchored),
      );
      expect(await looks(keyless, 'failed', "holds no public key for the witness 'Cornelia")).toEqual(
        await looks(tampered, 'failed', 'journal-invalid'),
      );
    });
  } finally {
    hostile.dispose();
  }
});

test('transcript viewer: a transcript.txt of 4 million combining marks, or one line changing direction 3 million times, shows its verdict', async ({
  page,
  harness,
}) => {
  test.setTimeout(120_000);
  await withViewer(page, harness, async ({ bundle, folder, verdict }) => {
    // Within the file cap, each hung Chromium's renderer for minutes: one letter of 4 million marks
    // (8 MB), and a line of Latin and Hebrew letters by turns (laid out in time growing as its square).
    for (const [text, shown] of [
      [`a${'\u0344'.repeat(3_999_999)}`, `a${'\u0344'.repeat(30)}\\u0344\\u0344`],
      ['a\u05d0'.repeat(1_500_000), 'a\u05d0a\u05d0'],
    ] as const) {
      writeFileSync(join(bundle.dir, 'transcript.txt.asc'), 'not a signed transcript');
      writeFileSync(join(bundle.dir, 'transcript.txt'), text);
      await folder.fill(bundle.dir);
      await page.getByRole('button', { name: 'Open and verify' }).click();
      await expect(verdict.getByRole('heading')).toHaveText('✘ NOT VERIFIED', { timeout: 30_000 });
      await expect(page.getByTestId('bundle-text')).toContainText(shown);
    }
  });
});
