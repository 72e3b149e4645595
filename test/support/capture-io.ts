/** A CliIo for calling commands in-process: captures what they print and feeds them standard input. */
import { Readable } from 'node:stream';
import type { CliIo } from '../../cli/io';

export function captureIo(stdinText = ''): { io: CliIo; stdout: () => string; stderr: () => string } {
  let out = '';
  let errText = '';
  const io: CliIo = {
    stdout: (text) => void (out += text),
    stderr: (text) => void (errText += text),
    stdin: Readable.from([Buffer.from(stdinText)]),
  };
  return { io, stdout: () => out, stderr: () => errText };
}
