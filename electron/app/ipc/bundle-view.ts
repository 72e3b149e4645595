/** A bundle's verification report as the IPC contract's `transcriptBundle` carries it. */
import type { TranscriptBundle } from '../../../shared/ipc/ipc-contract';
import type { BundleReport } from '../../services/transcript/verify';

export function bundleView(dir: string, report: BundleReport, transcript: string | null): TranscriptBundle {
  return {
    dir,
    verdict: report.verdict,
    valid: report.valid,
    ceremonyId: report.ceremonyId ?? null,
    rehearsal: report.rehearsal ?? null,
    events: report.events ?? null,
    head: report.head ?? null,
    signers: report.signers.map((s) => ({ ...s, keyringUserIds: [...s.keyringUserIds] })),
    signatures: report.signatures.map((s) => ({ ...s, since: [...s.since] })),
    outcome: report.outcome ?? null,
    authorisations: report.authorisations.map((a) => ({ ...a, since: [...a.since] })),
    problems: report.problems.map((p) => ({ kind: p.kind, message: p.message })),
    warnings: report.warnings.map((w) => ({ kind: w.kind, message: w.message })),
    transcript,
  };
}
