/**
 * The gate every renderer request passes through, callable without Electron: main.ts feeds it
 * `ipcMain.handle` events, the e2e fixture feeds it Playwright bindings. It checks who is asking,
 * for what and with which argument before a handler runs, and turns everything that can go wrong
 * into data, so the renderer never sees a thrown error, its text or its stack.
 */
import * as z from 'zod';
import {
  ipcContract,
  isChannelName,
  type Arg,
  type ChannelName,
  type IpcErrorKind,
  type IpcResult,
  type Value,
} from '../../../shared/ipc/ipc-contract';
import type { Result } from '../../../shared/result';
import { originOf } from '../security/origin';
import { redactError, type RedactedError } from './redact-error';

/** The frame a request came from: Electron's `event.senderFrame`, or a Playwright frame. */
export interface SenderFrame {
  readonly url: string;
  readonly isMainFrame: boolean;
}

/** One handler per channel; the compiler insists every channel in the contract has one. */
export type ChannelHandlers = {
  readonly [C in ChannelName]: (arg: Arg<C>) => Promise<Result<Value<C>>>;
};

/** A handler bug, reported to the main-process log with nothing the handler was given. */
export interface HandlerFault {
  readonly channel: ChannelName;
  readonly reason: 'threw' | 'value-outside-contract';
  readonly error?: RedactedError;
}

export interface RegistryOptions {
  /** Origins whose top-level page may call: `app://vault-ceremony`, or the e2e server's. */
  readonly allowedOrigins: readonly string[];
  readonly onFault?: (fault: HandlerFault) => void;
}

export interface HandlerRegistry {
  invoke(channel: unknown, rawArg: unknown, sender: SenderFrame | null | undefined): Promise<IpcResult<unknown>>;
}

type Failure = Extract<IpcResult<never>, { ok: false }>;

function failure(kind: IpcErrorKind, message: string): Failure {
  return { ok: false, error: { kind, message } };
}

/** Names the channel only when it looks like one, so arbitrary input is never echoed. */
function describeChannel(channel: unknown): string {
  return typeof channel === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(channel) ? `"${channel}"` : 'a malformed name';
}

/** Where and what, from the schema's point of view; zod's messages state the expectation, not the input. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** What a handler returned, read without trusting its type: a handler's bug must not reach the renderer. */
const handlerFailure = z.object({ ok: z.literal(false), error: z.object({ kind: z.string(), message: z.string() }) });
const handlerSuccess = z.object({ ok: z.literal(true), value: z.unknown().optional() });

export function createHandlerRegistry(handlers: ChannelHandlers, options: RegistryOptions): HandlerRegistry {
  const allowed = new Set(options.allowedOrigins);
  const report = options.onFault ?? (() => {});

  async function run(channel: ChannelName, arg: unknown): Promise<IpcResult<unknown>> {
    const spec = ipcContract[channel];
    const handler = handlers[channel] as (arg: unknown) => Promise<Result<unknown>>;
    const internal = failure(
      'internal',
      `"${channel}" failed inside the app's main process; the details were logged without their contents. Try again, and report it if it happens again.`,
    );
    let result: unknown;
    try {
      result = await handler(arg);
    } catch (thrown) {
      report({ channel, reason: 'threw', error: redactError(thrown) });
      return internal;
    }
    const failed = handlerFailure.safeParse(result);
    if (failed.success) return failed.data;
    const succeeded = handlerSuccess.safeParse(result);
    const value = succeeded.success ? spec.value.safeParse(succeeded.data.value) : undefined;
    if (!value?.success) {
      report({ channel, reason: 'value-outside-contract' });
      return internal;
    }
    return { ok: true, value: value.data };
  }

  return {
    async invoke(channel, rawArg, sender) {
      try {
        const origin = sender ? originOf(sender.url) : undefined;
        if (!sender?.isMainFrame || origin === undefined || !allowed.has(origin)) {
          return failure(
            'forbidden-sender',
            `Refused a request from ${sender ? `a ${sender.isMainFrame ? 'page' : 'sub-frame'} at ${origin ?? 'an unknown origin'}` : 'a frame that no longer exists'}: only the app's own top-level page may call the main process. Restart the app if this keeps happening.`,
          );
        }
        if (!isChannelName(channel)) {
          return failure(
            'unknown-channel',
            `The main process has no channel named ${describeChannel(channel)}; this build of the app is inconsistent, so reinstall it.`,
          );
        }
        const arg = ipcContract[channel].arg.safeParse(rawArg);
        if (!arg.success) {
          return failure(
            'bad-argument',
            `"${channel}" was called with an argument the contract does not allow (${describeIssues(arg.error.issues)}); nothing was changed.`,
          );
        }
        return await run(channel, arg.data);
      } catch {
        // Only a bug in this file can get here; still, the caller gets data, never the exception.
        return failure('internal', 'The app could not handle this request; nothing was changed. Restart the app.');
      }
    },
  };
}
