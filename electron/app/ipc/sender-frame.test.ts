import type { IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { describe, expect, it } from 'vitest';
import { senderFrameOf } from './sender-frame';

/** WebFrameMain exists only inside Electron; these carry just the members senderFrameOf reads. */
function frame(
  url: string,
  parent: object | null,
  state: { destroyed?: boolean; detached?: boolean } = {},
): WebFrameMain {
  return {
    url,
    parent,
    isDestroyed: () => state.destroyed ?? false,
    detached: state.detached ?? false,
  } as unknown as WebFrameMain;
}

const eventFrom = (senderFrame: WebFrameMain | null) => ({ senderFrame }) as Pick<IpcMainInvokeEvent, 'senderFrame'>;

describe('senderFrameOf', () => {
  it('describes a live frame: its URL and whether it is the top-level one', () => {
    expect(senderFrameOf(eventFrom(frame('app://vault-ceremony/index.html', null)))).toEqual({
      url: 'app://vault-ceremony/index.html',
      isMainFrame: true,
    });
    const child = frame('app://vault-ceremony/index.html', frame('app://vault-ceremony/index.html', null));
    expect(senderFrameOf(eventFrom(child))).toEqual({ url: 'app://vault-ceremony/index.html', isMainFrame: false });
  });

  it('treats a missing, destroyed, detached or disposed frame as no sender', () => {
    expect(senderFrameOf(eventFrom(null))).toBeNull();
    expect(senderFrameOf(eventFrom(frame('app://vault-ceremony/', null, { destroyed: true })))).toBeNull();
    expect(senderFrameOf(eventFrom(frame('app://vault-ceremony/', null, { detached: true })))).toBeNull();
    const disposed = {
      get senderFrame(): WebFrameMain {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    expect(senderFrameOf(disposed)).toBeNull();
  });
});
