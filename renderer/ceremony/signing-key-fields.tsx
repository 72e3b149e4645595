/**
 * A person's signing key file and its passphrase, as the transcript signature and the signed
 * authorisation of an irreversible step both ask for them. The passphrase leaves the form once,
 * in the request that uses it (`take`), and the field is emptied at that moment.
 */
import { useState } from 'react';
import { FilePathField } from '../components/path-field';
import { SecretField } from '../components/secret-field';

export interface SigningKeyInput {
  readonly keyPath: string;
  readonly setKeyPath: (path: string) => void;
  readonly passphrase: string;
  readonly setPassphrase: (passphrase: string) => void;
  /** The key path and (if any) passphrase for one request; the passphrase field is cleared. */
  take(): { privateKeyPath: string; passphrase?: string };
}

export function useSigningKey(): SigningKeyInput {
  const [keyPath, setKeyPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  return {
    keyPath,
    setKeyPath,
    passphrase,
    setPassphrase,
    take() {
      const sent = passphrase;
      setPassphrase('');
      return { privateKeyPath: keyPath.trim(), ...(sent ? { passphrase: sent } : {}) };
    },
  };
}

export function SigningKeyFields({
  id,
  input,
  kitDir,
  person,
  ready = true,
}: {
  id: string;
  input: SigningKeyInput;
  kitDir: string | null;
  person: string;
  /** Whether the key file is the field to fill next (false while something before it is still empty). */
  ready?: boolean;
}) {
  const empty = input.keyPath.trim() === '';
  return (
    <>
      <FilePathField
        id={`${id}-key`}
        purpose="signing-key"
        label="Signing key"
        value={input.keyPath}
        onChange={input.setKeyPath}
        required
        next={ready && empty}
        hint={kitDir ? `In this rehearsal: ${kitDir}/signers/${person}.key.asc` : 'Your armored private key file.'}
      />
      <SecretField
        id={`${id}-passphrase`}
        label="Key passphrase"
        value={input.passphrase}
        onChange={input.setPassphrase}
        required={false}
        hint="Leave empty if the key has none. Used once and forgotten."
        next={!empty}
      />
    </>
  );
}
