import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { GIVE_UP_MESSAGE, GIVE_UP_TITLE, recoverRenderer, type RecoverableContents } from './renderer-recovery';

const ENTRY = 'app://vault-ceremony/index.html';

/** A web contents stand-in: Electron's events are fired at it, its loads and the app's reactions recorded. */
function installed() {
  const contents = new EventEmitter();
  const loaded: string[] = [];
  const logged: string[] = [];
  const errors: Array<[string, string]> = [];
  const restarts: unknown[] = [];
  const clock = { now: 1_000_000 };
  const fake = Object.assign(contents, {
    loadURL: async (url: string) => void loaded.push(url),
  });
  recoverRenderer(fake as unknown as RecoverableContents, {
    entryUrl: ENTRY,
    now: () => clock.now,
    log: (line) => void logged.push(line),
    showError: (title, message) => void errors.push([title, message]),
    onReload: (restart) => void restarts.push(restart),
  });
  const die = (reason: string, exitCode = 133) => contents.emit('render-process-gone', {}, { reason, exitCode });
  return { contents, loaded, logged, errors, restarts, clock, die };
}

describe('recoverRenderer', () => {
  it('reloads the app’s page when the renderer crashes, logging only the reason and exit code', () => {
    const r = installed();
    r.die('crashed', 133);
    expect(r.loaded).toEqual([ENTRY]);
    expect(r.errors).toEqual([]);
    // What the reloaded page is told, through app.info.
    expect(r.restarts).toEqual([{ reason: 'crashed', at: new Date(1_000_000).toISOString() }]);
    expect(r.logged).toEqual([
      "vault-ceremony: the screen's process ended (crashed, exit code 133): reloading the app's page",
    ]);
  });

  it('reloads after an out-of-memory or a kill too', () => {
    const r = installed();
    r.die('oom', -1);
    r.clock.now += 120_000;
    r.die('killed', 9);
    expect(r.loaded).toEqual([ENTRY, ENTRY]);
  });

  it('does nothing on a clean exit (the window closing)', () => {
    const r = installed();
    r.die('clean-exit', 0);
    expect(r.loaded).toEqual([]);
    expect(r.logged).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.restarts).toEqual([]);
  });

  it('the 4th crash within 60 s is not reloaded: a dialog says to restart, once', () => {
    const r = installed();
    for (let i = 0; i < 3; i++) {
      r.die('crashed');
      r.clock.now += 10_000;
    }
    expect(r.loaded).toHaveLength(3);
    r.die('crashed');
    expect(r.loaded).toHaveLength(3);
    expect(r.restarts).toHaveLength(3);
    expect(r.errors).toEqual([[GIVE_UP_TITLE, GIVE_UP_MESSAGE]]);
    expect(GIVE_UP_MESSAGE).toMatch(/journal is safe/);
    expect(GIVE_UP_MESSAGE).toMatch(/start it again/);
    expect(r.logged.at(-1)).toBe(
      "vault-ceremony: the screen's process ended (crashed, exit code 133), 4 times within 60 s: not reloading",
    );
    r.clock.now += 600_000;
    r.die('crashed');
    expect(r.loaded).toHaveLength(3);
    expect(r.errors).toHaveLength(1);
  });

  it('crashes spaced further apart than the window keep being reloaded', () => {
    const r = installed();
    for (let i = 0; i < 10; i++) {
      r.die('crashed');
      r.clock.now += 25_000; // three within any 60 s, never four
    }
    expect(r.loaded).toHaveLength(10);
    expect(r.errors).toEqual([]);
  });

  it('a reason outside Electron’s words is not echoed into the log', () => {
    const r = installed();
    r.die('crashed share=1234abcd');
    expect(r.logged).toEqual([
      "vault-ceremony: the screen's process ended (unknown, exit code 133): reloading the app's page",
    ]);
  });

  it('an unresponsive page is only logged, never reloaded or killed', () => {
    const r = installed();
    r.contents.emit('unresponsive');
    r.contents.emit('responsive');
    expect(r.loaded).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.logged).toEqual([
      'vault-ceremony: the screen is not responding; waiting for it',
      'vault-ceremony: the screen is responding again',
    ]);
  });
});
