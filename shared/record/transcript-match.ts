/**
 * Whether a text is exactly the transcript a journal renders, decided without building it: the
 * lines are compared with the text in batches of about 64 KB as they are rendered. A 10,000-event
 * transcript is about 100,000 lines and 3 MB, all of it garbage once compared.
 */
import type { VerifiedChain } from './journal-event';
import { renderBody, type LineSink } from './transcript-format';

/** Exactly `renderTranscript(chain) === text`. */
export function rendersTranscript(chain: VerifiedChain, text: string): boolean {
  const sink = new MatchingSink(text);
  const closing = renderBody(chain, sink);
  sink.flush();
  return sink.matching && text.length - sink.at === closing.length && text.endsWith(closing);
}

/** Lines are compared a batch at a time, joined natively: a comparison per line took ~10% longer. */
const BATCH_CHARS = 64 * 1024;

/** Follows `text` with the lines pushed, in batches; stops comparing at the first difference. */
class MatchingSink implements LineSink {
  matching = true;
  /** How much of `text` the lines compared so far (joined by line feeds) are. */
  at = 0;
  private batch: string[] = [];
  private batchChars = 0;
  private first = true;

  constructor(private readonly text: string) {}

  push(...lines: string[]): void {
    for (const line of lines) {
      this.batch.push(line);
      this.batchChars += line.length + 1;
    }
    if (this.batchChars > BATCH_CHARS) this.flush();
  }

  /** Compares the lines pushed since the last flush. */
  flush(): void {
    if (this.batch.length === 0) return;
    const joined = this.batch.join('\n');
    const piece = this.first ? joined : `\n${joined}`;
    this.first = false;
    this.batch = [];
    this.batchChars = 0;
    if (this.matching && this.text.startsWith(piece, this.at)) this.at += piece.length;
    else this.matching = false;
  }
}
