/**
 * Handing over the activation token an operation ceremony's secondary-token call made, while the
 * ceremony lends it (its post-check): shown on request, copied to the clipboard once, or saved to a
 * new file only its owner can read. The token is never journaled; people compare its SHA-256, which
 * the journal holds, with what reaches the secondary. The clipboard is Electron's, so it is passed in.
 */
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../../../shared/result';
import { writeNewFile } from '../files/durable-write';
import { describeFsError } from '../files/fs-error';

export type HandoverErrorKind = 'no-activation-token' | 'already-copied' | 'copy-failed' | 'save-failed';

export interface HandoverView {
  readonly sha256: string;
  /** Copied to the clipboard already: a second copy is refused. */
  readonly copied: boolean;
  /** Where it was saved, if it was. */
  readonly savedTo: string | null;
}

export class ActivationHandover {
  private sha256: string | undefined;
  private copied = false;
  private savedTo: string | null = null;

  /** `lent` reads the token the ceremony lends now, if any. */
  constructor(private readonly lent: () => string | undefined) {}

  view(): HandoverView | null {
    const token = this.current();
    return token === undefined ? null : { sha256: this.sha256!, copied: this.copied, savedTo: this.savedTo };
  }

  reveal(): Result<string, HandoverErrorKind> {
    const token = this.current();
    return token === undefined ? notLent() : ok(token);
  }

  async copy(writeClipboard: (text: string) => Promise<void>): Promise<Result<void, HandoverErrorKind>> {
    const token = this.current();
    if (token === undefined) return notLent();
    if (this.copied)
      return err(
        'already-copied',
        'the activation token was copied once already: paste it from there, reveal it, or save it to a file',
      );
    try {
      await writeClipboard(token);
    } catch {
      // The clipboard's own error text is not ours to show; the token may have been in it.
      return err('copy-failed', 'the clipboard refused the activation token: reveal it, or save it to a file');
    }
    this.copied = true;
    return ok(undefined);
  }

  /** Creates `path` (never replacing a file) with the token, readable by its owner only. */
  async save(path: string): Promise<Result<string, HandoverErrorKind>> {
    const token = this.current();
    if (token === undefined) return notLent();
    try {
      await writeNewFile(path, `${token}\n`, 0o600);
    } catch (e) {
      return err(
        'save-failed',
        `cannot save the activation token to ${path}: ${describeFsError(e)}; choose a new file`,
      );
    }
    this.savedTo = path;
    return ok(path);
  }

  /** The token lent now; a different token (another ceremony) starts a fresh handover. */
  private current(): string | undefined {
    const token = this.lent();
    if (token === undefined) return undefined;
    const sha256 = createHash('sha256').update(token, 'utf8').digest('hex');
    if (sha256 !== this.sha256) {
      this.sha256 = sha256;
      this.copied = false;
      this.savedTo = null;
    }
    return token;
  }
}

function notLent(): Result<never, HandoverErrorKind> {
  return err(
    'no-activation-token',
    'no activation token is being handed over: it is lent only while the change is checked, after a secondary-token call',
  );
}
