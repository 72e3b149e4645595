/**
 * A Vault answer, however odd, is recorded and never takes the ceremony down: the client's schemas
 * are loose (unknown fields pass), so an answer may carry an unknown field nested far deeper than
 * any JSON writer recurses. Found by fuzzing the client (test/fuzz/vault-response.fuzz.test.ts):
 * recording such an answer used to throw out of the ceremony service.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedCall } from '../../electron/services/ceremony/recorded-call';
import { Journal } from '../../electron/services/journal/journal';
import { generationStatusSchema, type GenerationStatus, type VaultResult } from '../../electron/services/vault/types';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-answer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATUS = {
  nonce: '2dbd10f1-8528-6246-09e7-82b25b8aba63',
  started: true,
  progress: 1,
  required: 3,
  complete: false,
  otp_length: 28,
};

describe('recording a hostile Vault answer', () => {
  it.each([
    ['nested 100,000 deep', '['.repeat(100_000) + ']'.repeat(100_000)],
    ['nested 40 deep (deeper than the journal keeps)', '['.repeat(40) + ']'.repeat(40)],
  ])('records an answer with an unknown field %s, and the ceremony goes on', async (_, nested) => {
    const created = await Journal.create(join(dir, `${nested.length}.jsonl`), {
      ceremonyId: 'answer',
      rehearsal: true,
    });
    if (!created.ok) throw new Error(created.error.message);
    const journal = created.value;
    // What the client itself makes of such a body: the schema keeps the unknown field.
    const parsed = generationStatusSchema.parse(JSON.parse(`{${JSON.stringify(STATUS).slice(1, -1)},"x":${nested}}`));
    const answer: VaultResult<GenerationStatus> = {
      ok: true,
      value: { status: 200, data: parsed, requestId: undefined, warnings: [] },
    };
    const path = 'sys/replication/dr/secondary/generate-operation-token/attempt';
    const result = await recordedCall(
      journal,
      'share-entry',
      { profile: 'dr', method: 'GET', path },
      async () => answer,
    );
    expect(result.ok).toBe(true);
    expect(journal.chain.events.map((e) => e.type)).toEqual(['journal-created', 'vault-request', 'vault-response']);
    expect(journal.chain.events[2]!.details['data']).toBe('(not JSON)');
    await journal.close();
    expect(readFileSync(journal.path, 'utf8').split('\n')).toHaveLength(4);
  });
});
