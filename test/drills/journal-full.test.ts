// @tier integration
/**
 * Drill: the disk holding the journal fills up mid-ceremony. The ceremony must stop at the first
 * append that fails, before its next Vault call: every request that left the laptop has its
 * `vault-request` event on disk before it, and nothing after the failure reaches Vault. Once
 * space is freed, the ceremony resumes from the journal, on the record, and completes.
 *
 * A real full file system needs a tmpfs mount, so this runs as root (as CI does here); an
 * immutable journal file is drilled in electron/services/ceremony/ceremony-service.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resumeCeremony } from '../../electron/services/ceremony/ceremony-recovery';
import { cleanUp, drill, firstShareAccepted, onCleanUp, promotedAndClosed, PROMOTED } from './drill-support';

const isRoot = process.getuid?.() === 0;

afterEach(cleanUp);

describe.skipIf(!isRoot)('the journal’s disk fills up mid-ceremony', () => {
  it('stops before the next Vault call, proceeds with nothing unrecorded, and resumes once there is space', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vc-drill-full-'));
    const mount = join(root, 'tiny');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount]);
    onCleanUp(() => {
      execFileSync('umount', ['-l', mount]);
      rmSync(root, { recursive: true, force: true });
    });

    const d = await drill('disk-full', { journalDir: mount });
    await d.play((s) => s.input === 'share' && firstShareAccepted(d)());
    const filler = join(mount, 'filler');
    expect(() => writeFileSync(filler, Buffer.alloc(1024 * 1024))).toThrow(/ENOSPC/);

    // The room carries on; the laptop must stop at the first event it cannot write.
    const played = await d.play().then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(played).toMatch(/the ceremony stopped: .*(no space|ENOSPC|full)/i);
    const status = d.service.status();
    expect(status.stopped).toBe(true);
    expect(status.lastError?.kind).toBe('journal-failed');

    // Every request that left the laptop was on disk before it was sent; none followed the failure.
    const recorded = d.journal().filter((e) => e.type === 'vault-request');
    const sent = d.requests.length;
    expect(sent).toBe(recorded.length);
    expect((await d.service.retry()).ok).toBe(false);
    expect(
      await d.service.act({
        type: 'acknowledge',
        step: status.step,
        actor: d.cast.administrator.name,
        role: 'administrator',
      }),
    ).toMatchObject({ ok: false, error: { kind: 'stopped' } });
    expect(d.requests).toHaveLength(sent);
    expect(d.service.status().step).not.toBe('finished');

    // Space is freed; the ceremony resumes from its journal and finishes on the record.
    rmSync(filler);
    await d.service.close();
    const resumed = await resumeCeremony(d.options);
    if (!resumed.ok) throw new Error(resumed.error.message);
    onCleanUp(() => resumed.value.close());
    await d.play(undefined, resumed.value);
    const events = d.journal();
    expect(events.filter((e) => e.type === 'interruption')).toHaveLength(1);
    expect(await promotedAndClosed(d, resumed.value)).toEqual(PROMOTED);
  });
});
