import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  genesisHash,
  journalHeaderDetails,
  sealEvent,
  serializeEvent,
  sha256Text,
  verifyJournalText,
} from '../../../shared/record/journal-event';
import { nodeSha256Text } from './sha256-text';

describe('nodeSha256Text', () => {
  it('equals the pure hash on every string, lone surrogates included', () => {
    const units = fc.constantFrom('a', '"', '\n', 'é', '€', '𝄞', '\ud800', '\udfff', '\uffff');
    fc.assert(
      fc.property(fc.string({ unit: units }), (s) => nodeSha256Text(s) === sha256Text(s)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => nodeSha256Text(s) === sha256Text(s)),
      { numRuns: 2000 },
    );
  });

  it('is SHA-256', () => {
    expect(nodeSha256Text('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('verifies a journal exactly as the pure hash does, odd characters and tampering included', () => {
    const ceremony = 'dc2-\ud800-𝄞';
    const first = sealEvent({
      seq: 1,
      time: '2025-01-31T12:00:00.000Z',
      actor: 'vault-ceremony',
      role: 'system',
      step: 'journal',
      type: 'journal-created',
      details: journalHeaderDetails(ceremony, true),
      prev: genesisHash(ceremony),
    });
    const second = sealEvent({
      seq: 2,
      time: '2025-01-31T12:00:01.000Z',
      actor: 'alice \udc00',
      role: 'administrator',
      step: 'pre-checks',
      type: 'note',
      details: { text: 'é€𝄞\ud83d', n: 1 },
      prev: first.hash,
    });
    const text = [first, second].map((e) => serializeEvent(e) + '\n').join('');
    const pure = verifyJournalText(text);
    expect(pure.ok).toBe(true);
    expect(verifyJournalText(text, { sha256: nodeSha256Text })).toEqual(pure);
    for (const tampered of [
      text.replace('alice', 'alicf'),
      text.replace('"n":1', '"n":2'),
      text.replace('dc2-', 'dc3-'),
    ])
      expect(verifyJournalText(tampered, { sha256: nodeSha256Text })).toEqual(verifyJournalText(tampered));
  });
});
