/**
 * A scripted pinentry for interop tests, so gpg-agent's real pinentry path is exercised without a
 * screen and without any passphrase on a command line: gpg-agent starts it (configured through
 * `pinentry-program` in the home's gpg-agent.conf) and it speaks just enough Assuan: `OK` to every
 * command, and for GETPIN either `D <passphrase>` + `OK` or a cancellation, as the test sets.
 * Passphrase caching is switched off so every decryption asks again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPinentry {
  /** GETPIN answers this (plain ASCII without %, CR or LF, which Assuan would need escaped). */
  answer(passphrase: string): void;
  /** GETPIN answers "Operation cancelled", as when the officer presses Cancel. */
  cancel(): void;
  /** GETPIN waits (up to 30 s) until `release()`: to look at processes while gpg is running. */
  hold(): void;
  release(): void;
  /** How many GETPIN requests gpg-agent has made so far. */
  timesAsked(): number;
}

/** Installs the pinentry into `home`; call before gpg-agent starts there (the first gpg command). */
export function installTestPinentry(home: string): TestPinentry {
  const dir = join(home, 'test-pinentry');
  mkdirSync(dir, { mode: 0o700 });
  const script = join(dir, 'pinentry.sh');
  writeFileSync(
    script,
    `#!/bin/sh
d='${dir}'
echo 'OK Pleased to meet you'
while IFS= read -r line; do
  case "$line" in
    GETPIN*)
      echo asked >> "$d/asked"
      n=0
      while [ -f "$d/hold" ] && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
      if [ -f "$d/cancel" ]; then echo 'ERR 83886179 Operation cancelled <Pinentry>'
      else printf 'D %s\\nOK\\n' "$(cat "$d/passphrase")"; fi ;;
    BYE*) echo OK; exit 0 ;;
    *) echo OK ;;
  esac
done
`,
    { mode: 0o700 },
  );
  writeFileSync(join(home, 'gpg-agent.conf'), `pinentry-program ${script}\ndefault-cache-ttl 0\nmax-cache-ttl 0\n`);
  const passphraseFile = join(dir, 'passphrase');
  writeFileSync(passphraseFile, '', { mode: 0o600 });
  return {
    answer(passphrase) {
      if (/[%\r\n]/.test(passphrase)) throw new Error('the test pinentry does not escape %, CR or LF');
      writeFileSync(passphraseFile, passphrase, { mode: 0o600 });
      rmSync(join(dir, 'cancel'), { force: true });
    },
    cancel() {
      writeFileSync(join(dir, 'cancel'), '');
    },
    hold() {
      writeFileSync(join(dir, 'hold'), '');
    },
    release() {
      rmSync(join(dir, 'hold'), { force: true });
    },
    timesAsked() {
      const file = join(dir, 'asked');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
    },
  };
}
