/**
 * Exporting the signed bundle (transcript.txt.asc, journal.jsonl, signers/) into a new or empty
 * folder; the main process verifies it where it landed before saying it is done. A folder holding
 * anything else is refused before anything is written, naming what is there as an auditor's verify
 * would; after writing, whatever verify would warn about is shown as the viewer shows it.
 */
import { useState, type FormEvent } from 'react';
import type { CeremonySnapshot } from '../../shared/ceremony/ceremony-snapshot';
import type { TranscriptBundle } from '../../shared/ipc/ipc-contract';
import { drawnText } from '../../shared/record/visible-text';
import { BundleWarnings } from '../components/bundle-warnings';
import { FolderPathField } from '../components/path-field';
import { Notice } from '../components/notice';
import type { CeremonyHandle } from './use-ceremony';

export function ExportPanel({ ceremony, handle }: { ceremony: CeremonySnapshot; handle: CeremonyHandle }) {
  const [dir, setDir] = useState('');
  const [report, setReport] = useState<TranscriptBundle>();

  async function exportBundle(event: FormEvent) {
    event.preventDefault();
    const done = await handle.call('ceremony.export', { dir: dir.trim() });
    if (done) setReport(done);
  }

  return (
    <section aria-labelledby="export-heading" className="card">
      <h2 id="export-heading">Export the signed transcript bundle</h2>
      {ceremony.exportedTo && (
        <p>
          Already exported to <span className="path">{ceremony.exportedTo}</span>; another copy may go to another new
          folder.
        </p>
      )}
      <form onSubmit={(event) => void exportBundle(event)} noValidate>
        <FolderPathField
          id="export-dir"
          purpose="export-bundle"
          label="Bundle folder"
          value={dir}
          onChange={setDir}
          required
          hint="A new or empty folder, e.g. on the removable drive for the auditors. Nothing is ever overwritten, and a folder holding anything else is refused: an auditor's verify would name it as not signed."
        />
        {/* The message may name the folder's entries: what the file system holds is shown through the one filter. */}
        {handle.error && <Notice tone="error">{drawnText(handle.error.message)}</Notice>}
        <div className="actions">
          <button type="submit" disabled={handle.busy || dir.trim() === ''}>
            {handle.busy ? 'Writing and verifying…' : 'Export and verify'}
          </button>
        </div>
      </form>
      {report && (
        <Notice tone={report.valid ? 'success' : 'error'} testId="export-result">
          {report.valid
            ? `The bundle in ${report.dir} verifies: ${report.signatures.length} good signature(s) (${report.signatures.map((s) => s.signer).join(', ')}), ${report.events ?? '?'} journal events, head ${report.head ?? '?'}.`
            : drawnText(
                `The bundle in ${report.dir} does not verify: ${report.problems.map((p) => p.message).join('; ')}`,
              )}
        </Notice>
      )}
      {report && <BundleWarnings warnings={report.warnings} />}
    </section>
  );
}
