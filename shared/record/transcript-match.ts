/**
 * Whether a text is exactly the transcript a journal renders, decided without building it: each
 * rendered line is compared in place with the text as it is rendered. A 10,000-event transcript
 * is about 100,000 lines and 3 MB; building it as lines and joining them cost `verify` as much
 * time as the comparison, and all of it was garbage the moment the answer was known.
 */
import type { VerifiedChain } from './journal-event';
import { renderBody, type LineSink } from './transcript-format';

/** Exactly `renderTranscript(chain) === text`. */
export function rendersTranscript(chain: VerifiedChain, text: string): boolean {
  const sink = new MatchingSink(text);
  const closing = renderBody(chain, sink);
  return sink.matching && text.length - sink.at === closing.length && text.endsWith(closing);
}

/** Follows `text` line by line as the lines are pushed; stops comparing at the first difference. */
class MatchingSink implements LineSink {
  matching = true;
  /** Where the next line feed (or, for the first line, the line itself) must be. */
  at = 0;
  private first = true;

  constructor(private readonly text: string) {}

  push(...lines: string[]): void {
    for (const line of lines) this.follow(line);
  }

  private follow(line: string): void {
    if (!this.matching) return;
    let at = this.at;
    if (!this.first) {
      if (this.text.charCodeAt(at) !== 10) {
        this.matching = false;
        return;
      }
      at++;
    }
    this.first = false;
    if (!this.text.startsWith(line, at)) {
      this.matching = false;
      return;
    }
    this.at = at + line.length;
  }
}
