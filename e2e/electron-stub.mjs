// Imported first (`node --import`) in place of Electron where its binary is absent, to load the
// built main process in plain Node: every Electron API is a no-op stand-in, `whenReady` never
// resolves, and paths are strings. It proves the bundle loads, nothing about what Electron does next.
import Module from 'node:module';
import { tmpdir } from 'node:os';

const stub = new Proxy(function electronStub() {}, {
  get: (_target, key) => {
    if (key === 'then') return undefined; // not a promise
    if (key === Symbol.toPrimitive) return () => 'electron-stub';
    if (key === 'whenReady') return () => new Promise(() => {});
    if (key === 'getAppPath' || key === 'getPath') return () => tmpdir();
    return stub;
  },
  apply: () => stub,
  construct: () => stub,
});

const load = Module._load;
Module._load = function loadWithStub(request, ...rest) {
  return request === 'electron' ? stub : load.call(this, request, ...rest);
};
