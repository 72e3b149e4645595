/**
 * Bundles that an earlier build wrote (test/fixtures/bundles/README.md) against today's `verify`.
 * `verify` replays a record through this build's action code, so a change to what the laptop
 * records would make such an honest bundle fail as if tampered with. While their transcript format
 * is the one `verify` reads, they must verify (consistent, exit 3: no keyring given); once
 * TRANSCRIPT_FORMAT is raised with such a change, they must be refused by that format alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { TRANSCRIPT_FORMAT } from '../shared/record/transcript-format';
import { captureIo } from './support/capture-io';

const BUNDLES = join(import.meta.dirname, 'fixtures', 'bundles');

describe('bundles an earlier build wrote', () => {
  it.each(['promotion', 'failback-resumed', 'promotion-5', 'failback-resumed-5', 'promotion-6', 'failback-resumed-6'])(
    '%s: consistent in its format, else refused by its format alone',
    async (name) => {
      const dir = join(BUNDLES, name);
      const format = /^Format: +(\S+)$/m.exec(readFileSync(join(dir, 'transcript.txt'), 'utf8'))?.[1];
      const { io, stdout, stderr } = captureIo();
      const code = await main(['verify', dir], io);
      if (format === TRANSCRIPT_FORMAT) {
        expect(stderr()).toBe('');
        expect(code).toBe(3);
        expect(stdout()).toContain('CONSISTENT BUT UNANCHORED');
      } else {
        expect(code).toBe(1);
        expect(stderr().trimEnd().split('\n')).toEqual([
          'vault-ceremony verify: FAILED',
          `  - the transcript is in format ${format}, and this vault-ceremony renders ${TRANSCRIPT_FORMAT}, so it cannot re-render it to compare: verify this bundle with the vault-ceremony release that wrote it`,
        ]);
      }
    },
  );
});
