// openpgp's type declarations import their two stream types from '@openpgp/web-stream-tools', an
// optional peer package. Installing it would put it (with TypeScript and @types/node as its peers)
// into npm's production tree although nothing of it runs: openpgp's build carries its own copy.
// These are the two types, as that package (0.3.x) declares them.
declare module '@openpgp/web-stream-tools' {
  import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';

  type Data = Uint8Array | string;
  export type WebStream<T extends Data> = ReadableStream<T>;
  export type NodeWebStream<T extends Data> = NodeWebReadableStream<T>;
}
