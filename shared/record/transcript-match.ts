/**
 * Whether a text is exactly the transcript a journal renders, decided without building it: each
 * piece of each line is compared with the text in place as it is rendered. A 10,000-event
 * transcript is about 100,000 lines and 4 MB, all of it garbage once compared.
 *
 * Rendering stops at the first piece that differs. A hostile journal can render to far more than
 * it holds (each leaf of a detail repeats its whole path: a 300 KB event with a 100,000-character
 * key over 100,000 array items renders to 10 GB): nothing past what the text matches is rendered.
 */
import type { VerifiedChain } from './journal-event';
import { renderLines, type LineSink } from './transcript-format';

/**
 * Undefined when `text` is exactly the transcript `chain` renders (`renderTranscript(chain) ===
 * text`); else the 1-based number of the first line of `text` that is not the rendered one, as
 * comparing the two split into lines would give.
 */
export function firstLineNotRendered(chain: VerifiedChain, text: string): number | undefined {
  const sink = new MatchingSink(text);
  try {
    renderLines(chain, sink);
  } catch (e) {
    if (e instanceof Diverged) return e.line;
    throw e;
  }
  if (sink.at === text.length) return undefined;
  // The text goes on after the transcript's last line feed: an empty line, then what follows.
  return sink.lines + (text.startsWith('\n', sink.at) ? 2 : 1);
}

/** Thrown by MatchingSink to stop rendering at the first line that differs; caught only above. */
class Diverged extends Error {
  constructor(readonly line: number) {
    super(`the transcript differs from line ${line}`);
  }
}

const LINE_FEED = 0x0a;

/** Follows `text` with the pieces written; throws Diverged at the first line that differs. */
class MatchingSink implements LineSink {
  /** How much of `text` the pieces compared so far are. */
  at = 0;
  /** How many whole lines compared so far. */
  lines = 0;

  constructor(private readonly text: string) {}

  write(piece: string): void {
    // indexOf, not startsWith: measured in Node 20, a third of the time per piece, and 40% fewer
    // instructions for checking a 10,000-event transcript. Where the piece is not here it searches
    // on through the text, but only once: rendering then stops.
    // A piece holds no line feed, so where it differs the text's line is not the rendered one.
    if (this.text.indexOf(piece, this.at) !== this.at) throw new Diverged(this.lines + 1);
    this.at += piece.length;
  }

  end(): void {
    if (this.text.charCodeAt(this.at) === LINE_FEED) {
      this.at++;
      this.lines++;
      return;
    }
    // Where the text ends without a line feed, its last line is the rendered one, and the rendered text goes on.
    throw new Diverged(this.lines + (this.at === this.text.length ? 2 : 1));
  }
}
