/** The command dispatcher: only the commands it lists run; any other name is an unknown command. */
import { describe, expect, it } from 'vitest';
import { captureIo } from '../test/support/capture-io';
import { main } from './main';

describe('vault-ceremony <command>', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    "refuses '%s' as an unknown command, with exit 2 and no stack trace",
    async (name) => {
      const c = captureIo();
      expect(await main([name], c.io)).toBe(2);
      expect(c.stderr()).toMatch(new RegExp(`^vault-ceremony: unknown command '${name}'\\n`));
      expect(c.stderr()).not.toMatch(/TypeError|\n\s+at /);
    },
  );
});
