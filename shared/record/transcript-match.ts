/**
 * Whether a text is exactly the transcript a journal renders, decided without building it: the
 * lines are compared with the text in batches of about 64 KB as they are rendered. A 10,000-event
 * transcript is about 100,000 lines and 3 MB, all of it garbage once compared.
 *
 * Rendering stops at the first line that differs. A hostile journal can render to far more than
 * it holds (each leaf of a detail repeats its whole path: a 300 KB event with a 100,000-character
 * key over 100,000 array items renders to 10 GB): only what the text matches, and one batch more,
 * is ever joined.
 */
import type { VerifiedChain } from './journal-event';
import { renderBody, type LineSink } from './transcript-format';

/**
 * Undefined when `text` is exactly the transcript `chain` renders (`renderTranscript(chain) ===
 * text`); else the 1-based number of the first line of `text` that is not the rendered one, as
 * comparing the two split into lines would give.
 */
export function firstLineNotRendered(chain: VerifiedChain, text: string): number | undefined {
  const sink = new MatchingSink(text);
  try {
    const closing = renderBody(chain, sink);
    // The closing text is a line feed, lines, and a line feed: the transcript's last lines.
    sink.push(...closing.slice(1, -1).split('\n'));
    sink.flush();
  } catch (e) {
    if (e instanceof Diverged) return e.line;
    throw e;
  }
  if (sink.at === text.length) return undefined;
  // The text goes on after the transcript's last line feed: an empty line, then what follows.
  return sink.lines + (text.startsWith('\n', sink.at) ? 2 : 1);
}

/** Lines are compared a batch at a time, joined natively: a comparison per line took ~10% longer. */
const BATCH_CHARS = 64 * 1024;

/** Thrown by MatchingSink to stop rendering at the first line that differs; caught only above. */
class Diverged extends Error {
  constructor(readonly line: number) {
    super(`the transcript differs from line ${line}`);
  }
}

/**
 * Follows `text` with the lines pushed, each ending in a line feed, a batch at a time; throws
 * Diverged at the first line that differs.
 */
class MatchingSink implements LineSink {
  /** How much of `text` the lines compared so far are: always whole lines. */
  at = 0;
  /** How many lines compared so far. */
  lines = 0;
  private batch: string[] = [];
  private batchChars = 0;

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
    const { batch } = this;
    if (batch.length === 0) return;
    this.batch = [];
    this.batchChars = 0;
    const piece = batch.join('\n') + '\n';
    if (this.text.startsWith(piece, this.at)) {
      this.at += piece.length;
      this.lines += batch.length;
      return;
    }
    for (const line of batch) {
      const end = this.text.indexOf('\n', this.at);
      // The text's last line, without its line feed: the line itself may be the rendered one.
      if (end < 0) throw new Diverged(this.lines + (this.text.slice(this.at) === line ? 2 : 1));
      if (end - this.at !== line.length || !this.text.startsWith(line, this.at)) throw new Diverged(this.lines + 1);
      this.at = end + 1;
      this.lines++;
    }
    // Not reached (a batch that does not match holds a line that differs), and never a match.
    throw new Diverged(this.lines + 1);
  }
}
