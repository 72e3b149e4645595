// @tier integration
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serializeEvent, verifyJournalText, type JsonObject } from '../../../shared/record/journal-event';
import { REDACTED } from '../../../shared/record/redaction';
import { Journal, type EventInput } from './journal';

const OTP = 'kZ8bq2YtLmN4pQ7rS1uV3wX5yA9c';
const isRoot = process.getuid?.() === 0;

let dir: string;
let path: string;
let tick = 0;
const clock = () => new Date(Date.UTC(2025, 0, 31, 9, 0, 0, tick++));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-'));
  path = join(dir, 'journal.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ack = (n: number): EventInput => ({
  actor: 'bob',
  role: 'witness',
  step: `step-${n}`,
  type: 'step-acknowledged',
  details: { n },
});

async function created(): Promise<Journal> {
  const journal = await Journal.create(path, { ceremonyId: 'c-1', rehearsal: true, clock });
  if (!journal.ok) throw new Error(journal.error.message);
  return journal.value;
}

function verifyFile(): ReturnType<typeof verifyJournalText> {
  return verifyJournalText(readFileSync(path, 'utf8'));
}

describe('Journal', () => {
  it('writes one verifiable canonical line per event, starting with its own header', async () => {
    const journal = await created();
    for (let n = 1; n <= 3; n++) expect((await journal.append(ack(n))).ok).toBe(true);
    await journal.close();
    const chain = verifyFile();
    expect(chain.ok).toBe(true);
    if (!chain.ok) return;
    expect(chain.value.ceremonyId).toBe('c-1');
    expect(chain.value.events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'journal-created'],
      [2, 'step-acknowledged'],
      [3, 'step-acknowledged'],
      [4, 'step-acknowledged'],
    ]);
    expect(readFileSync(path, 'utf8')).toBe(chain.value.events.map((e) => serializeEvent(e) + '\n').join(''));
  });

  it('never overwrites an existing journal', async () => {
    writeFileSync(path, 'precious\n');
    const again = await Journal.create(path, { ceremonyId: 'c-1', rehearsal: false });
    expect(!again.ok && again.error.kind).toBe('journal-exists');
    expect(readFileSync(path, 'utf8')).toBe('precious\n');
  });

  it('reports a folder it cannot create the journal in', async () => {
    const result = await Journal.create(join(dir, 'missing', 'journal.jsonl'), { ceremonyId: 'c-1', rehearsal: false });
    expect(!result.ok && result.error.kind).toBe('journal-unwritable');
  });

  it('has one writer: another process holding it open is named, and its lock is taken over once it dies', async () => {
    await (await created()).close();
    // A second process with the journal open, as a second app or CLI on the same ceremony would have.
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { Journal } = await import(${JSON.stringify(join(import.meta.dirname, 'journal.ts'))});
         const r = await Journal.open(${JSON.stringify(path)});
         console.log(r.ok ? 'open' : r.error.message);
         setInterval(() => undefined, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [line] = (await once(holder.stdout, 'data')) as [Buffer];
      expect(line.toString().trim()).toBe('open');
      const second = await Journal.open(path);
      expect(second).toMatchObject({ ok: false, error: { kind: 'journal-in-use' } });
      if (!second.ok) expect(second.error.message).toContain(`in use by process ${holder.pid}`);
      const appended = await Journal.create(path, { ceremonyId: 'c-1', rehearsal: true });
      expect(!appended.ok && appended.error.kind).toBe('journal-in-use');
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    const resumed = await Journal.open(path);
    expect(resumed.ok).toBe(true);
    if (resumed.ok) {
      // And in one process too: a second Journal on the same file is refused until the first closes.
      expect(await Journal.open(path)).toMatchObject({ ok: false, error: { kind: 'journal-in-use' } });
      await resumed.value.journal.close();
    }
    expect((await Journal.open(path)).ok).toBe(true);
  });

  it('resumes an existing journal where it ended', async () => {
    const first = await created();
    await first.append(ack(1));
    await first.close();
    const reopened = await Journal.open(path, { clock });
    expect(reopened.ok).toBe(true);
    if (!reopened.ok) return;
    expect(reopened.value.tornTail).toBeUndefined();
    const appended = await reopened.value.journal.append(ack(2));
    expect(appended.ok && appended.value.seq).toBe(3);
    await reopened.value.journal.close();
    expect(verifyFile().ok).toBe(true);
  });

  it('dates no event before the last, though the clock is set back, in the process or after reopening', async () => {
    let now = Date.UTC(2025, 0, 31, 9, 0, 0);
    const settable = () => new Date(now);
    const first = await Journal.create(path, { ceremonyId: 'c-1', rehearsal: true, clock: settable });
    if (!first.ok) throw new Error(first.error.message);
    now += 60_000;
    const held = await first.value.append(ack(1));
    now -= 3_600_000; // the clock set back an hour
    const back = await first.value.append(ack(2));
    expect(back.ok && held.ok && back.value.time).toBe(held.ok && held.value.time);
    await first.value.close();
    const reopened = await Journal.open(path, { clock: settable });
    if (!reopened.ok) throw new Error(reopened.error.message);
    const resumed = await reopened.value.journal.append(ack(3));
    expect(resumed.ok && resumed.value.time).toBe('2025-01-31T09:01:00.000Z');
    now += 7_200_000; // and once the clock is past the last event again, its time goes on
    const later = await reopened.value.journal.append(ack(4));
    expect(later.ok && later.value.time).toBe('2025-01-31T10:01:00.000Z');
    await reopened.value.journal.close();
  });

  it('cuts off a write a crash interrupted, reports it, and carries on verifiably', async () => {
    const journal = await created();
    await journal.append(ack(1));
    await journal.close();
    const complete = readFileSync(path);
    // Half of a further event, ending inside a multi-byte character, as a crash would leave it.
    const torn = Buffer.from('{"actor":"bob","details":{"note":"caf\u00e9"},"hash":"', 'utf8');
    appendFileSync(path, torn.subarray(0, torn.length - 2));
    appendFileSync(path, Buffer.from([0xc3]));

    const reopened = await Journal.open(path, { clock });
    expect(reopened.ok).toBe(true);
    if (!reopened.ok) return;
    expect(reopened.value.tornTail).toEqual({ bytes: torn.length - 1, afterSeq: 2 });
    expect(readFileSync(path).equals(complete)).toBe(true);
    const noted = await reopened.value.journal.append({
      actor: 'vault-ceremony',
      role: 'system',
      step: 'resume',
      type: 'interruption',
      details: { torn_bytes: torn.length - 1 },
    });
    expect(noted.ok && noted.value.seq).toBe(3);
    await reopened.value.journal.close();
    expect(verifyFile().ok).toBe(true);
  });

  it('refuses to open a journal damaged anywhere but its last line, naming the event, and changes nothing', async () => {
    const journal = await created();
    for (let n = 1; n <= 3; n++) await journal.append(ack(n));
    await journal.close();
    const damaged = readFileSync(path, 'utf8').replace('"step-2"', '"step-9"');
    writeFileSync(path, damaged);
    const result = await Journal.open(path);
    expect(!result.ok && result.error.kind).toBe('journal-corrupt');
    expect(!result.ok && result.error.message).toContain('event seq 3 (line 3)');
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });

  it('refuses a journal with no complete event', async () => {
    writeFileSync(path, '{"actor":"vault-ceremony"');
    const result = await Journal.open(path);
    expect(!result.ok && result.error.kind).toBe('journal-empty');
  });

  it('redacts Vault secrets in details before they reach the disk', async () => {
    const journal = await created();
    const event = await journal.append({
      actor: 'alice',
      role: 'administrator',
      step: 'generate-token',
      type: 'vault-response',
      details: { body: { otp: OTP, nonce: 'n-1' }, headers: { 'X-Vault-Token': 'root' } },
    });
    await journal.close();
    expect(event.ok && event.value.details).toMatchObject({
      body: { nonce: 'n-1' },
      headers: { 'X-Vault-Token': REDACTED },
    });
    expect(readFileSync(path, 'utf8')).not.toContain(OTP);
  });

  describe('forbid', () => {
    it('refuses any event carrying a registered secret, under any field, and writes nothing', async () => {
      const journal = await created();
      journal.forbid(OTP);
      journal.forbid('pass"phrase\\x');
      const before = readFileSync(path);
      const leaks: JsonObject[] = [
        { note: `the otp is ${OTP}` },
        { list: [{ deep: OTP }] },
        { typed: 'pass"phrase\\x' },
      ];
      for (const details of leaks) {
        const result = await journal.append({
          actor: 'alice',
          role: 'administrator',
          step: 's',
          type: 'note',
          details,
        });
        expect(!result.ok && result.error.kind).toBe('forbidden-secret');
        expect(!result.ok && result.error.message).not.toContain(OTP);
      }
      const smuggled = await journal.append({ actor: `eve ${OTP}`, role: 'witness', step: 's', type: 'note' });
      expect(!smuggled.ok && smuggled.error.kind).toBe('forbidden-secret');
      expect(readFileSync(path).equals(before)).toBe(true);
      expect((await journal.append(ack(1))).ok).toBe(true);
      await journal.close();
    });

    it('rejects values too short to search for safely', async () => {
      const journal = await created();
      expect(() => journal.forbid('abc')).toThrow(TypeError);
      await journal.close();
    });
  });

  it('rejects malformed events without writing them', async () => {
    const journal = await created();
    const before = readFileSync(path);
    const bad: EventInput[] = [
      { ...ack(1), role: 'auditor' as never },
      { ...ack(1), type: 'Step Acknowledged' },
      { ...ack(1), actor: '' },
      { ...ack(1), details: { n: Number.NaN } },
      { ...ack(1), details: { when: new Date() as never } },
    ];
    for (const input of bad) {
      const result = await journal.append(input);
      expect(!result.ok && result.error.kind).toBe('invalid-event');
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    await journal.close();
  });

  it('serialises concurrent appends into one chain', async () => {
    const journal = await created();
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => journal.append(ack(n))));
    await journal.close();
    expect(results.map((r) => r.ok && r.value.seq)).toEqual(Array.from({ length: 20 }, (_, n) => n + 2));
    expect(verifyFile().ok).toBe(true);
  });

  describe('when the disk refuses', () => {
    it.skipIf(!isRoot)(
      'returns write-failed on an immutable file, then journal-broken, and leaves the file verifiable',
      async () => {
        const journal = await created();
        await journal.append(ack(1));
        execFileSync('chattr', ['+i', path]);
        try {
          const failed = await journal.append(ack(2));
          expect(!failed.ok && failed.error.kind).toBe('write-failed');
          expect(!failed.ok && failed.error.message).toMatch(/permission denied.*Stop before the next Vault call/);
          const next = await journal.append(ack(3));
          expect(!next.ok && next.error.kind).toBe('journal-broken');
          await journal.close(); // its lock would refuse a second writer first
          const reopen = await Journal.open(path);
          expect(!reopen.ok && reopen.error.kind).toBe('journal-unwritable');
        } finally {
          execFileSync('chattr', ['-i', path]);
          await journal.close();
        }
        const chain = verifyFile();
        expect(chain.ok && chain.value.events.length).toBe(2);
      },
    );

    it.skipIf(isRoot)('refuses to open a read-only journal for appending', async () => {
      const journal = await created();
      await journal.close();
      chmodSync(path, 0o444);
      const reopen = await Journal.open(path);
      expect(!reopen.ok && reopen.error.kind).toBe('journal-unwritable');
    });

    describe.skipIf(!isRoot)('on a full file system (a 64 KiB tmpfs)', () => {
      let mount: string;
      beforeEach(() => {
        mount = join(dir, 'tiny');
        mkdirSync(mount);
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
      });
      afterEach(() => execFileSync('umount', ['-l', mount])); // lazy: a failed test may leave a file open

      it('returns write-failed, rolls back the partial line, and the journal reopens intact', async () => {
        path = join(mount, 'journal.jsonl');
        const journal = await created();
        await journal.append(ack(1));
        const sizeBefore = readFileSync(path).length;
        const filler = join(mount, 'filler');
        expect(() => writeFileSync(filler, Buffer.alloc(128 * 1024))).toThrow(/ENOSPC/);
        const failed = await journal.append({ ...ack(2), details: { big: 'x'.repeat(16 * 1024) } });
        expect(!failed.ok && failed.error.kind).toBe('write-failed');
        expect(!failed.ok && failed.error.message).toContain('the disk is full');
        expect(readFileSync(path).length).toBe(sizeBefore);
        expect((await journal.append(ack(3))).ok).toBe(false);
        await journal.close();

        rmSync(filler);
        const reopened = await Journal.open(path);
        expect(reopened.ok && reopened.value.tornTail).toBeUndefined();
        expect(reopened.ok && reopened.value.journal.chain.events.length).toBe(2);
        if (reopened.ok) await reopened.value.journal.close();
      });
    });
  });
});

describe('a journal too large to be one', () => {
  it('is refused by its size, before it is read, not as invalid UTF-8', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vc-journal-huge-'));
    try {
      const path = join(dir, 'journal.jsonl');
      writeFileSync(path, '');
      truncateSync(path, 600 * 1024 * 1024); // sparse: no disk used
      const r = await Journal.open(path);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/is 629145600 bytes, larger than any ceremony journal/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
