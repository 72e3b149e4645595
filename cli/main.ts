import { EXIT_USAGE, type CliIo, type Command } from './io';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Every subcommand, by the name typed after `vault-ceremony`. */
const listed: Record<string, CommandEntry> = {
  decode: {
    summary: 'decode an encoded DR operation/root token with its OTP',
    load: async () => (await import('./commands/decode')).decodeCommand,
  },
  otp: {
    summary: 'print a one-time password for a token-generation attempt',
    load: async () => (await import('./commands/otp')).otpCommand,
  },
  rehearse: {
    summary: 'run a complete promotion ceremony headless against a rehearsal Vault and write its signed bundle',
    load: async () => (await import('./commands/rehearse')).rehearseCommand,
  },
  'rehearsal-vault': {
    summary: 'run a rehearsal primary + DR secondary on loopback (mTLS) until Ctrl-C',
    load: async () => (await import('./commands/rehearsal-vault')).rehearsalVaultCommand,
  },
  'sign-checksums': {
    summary: 'write SHA256SUMS and its detached release-key signature for a release folder',
    load: async () => (await import('./commands/sign-checksums')).signChecksumsCommand,
  },
  status: {
    summary: "print a Vault node's replication state and health verdict (VAULT_* environment)",
    load: async () => (await import('./commands/status')).statusCommand,
  },
  verify: {
    summary: 'check a transcript bundle: signatures, hash chain, stated journal head',
    load: async () => (await import('./commands/verify')).verifyCommand,
  },
};
/** A Map, so a typed name is only ever one of these: `__proto__` or `toString` is not a command. */
const commands = new Map(Object.entries(listed));

function usage(): string {
  const rows = [...commands].map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return ['usage: vault-ceremony <command> [options]', '', 'commands:', ...rows, ''].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.get(name);
  if (!command) {
    io.stderr(`vault-ceremony: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  return (await command.load())(rest, io);
}
