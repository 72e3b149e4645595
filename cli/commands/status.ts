/**
 * `vault-ceremony status [--json]`: reads one node's replication state with the `vault` CLI's
 * environment (VAULT_ADDR, VAULT_CACERT, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY,
 * VAULT_TLS_SERVER_NAME, VAULT_TOKEN) and prints the dashboard's verdict in plain language, or as
 * JSON for scripts. Exit 0 when the node answered, 1 when Vault or TLS refused, 2 for bad arguments.
 */
import { connectProfile } from '../../electron/services/vault/connect';
import { readReplicationOverview } from '../../electron/services/vault/read-replication-overview';
import { profileFromVaultEnv } from '../../shared/profiles/connection-profile';
import { statusReport, statusText } from '../../shared/replication/status-report';
import { parseCommandLine, usageError, type CommandUsage } from '../command-line';
import { EXIT_FAILED, EXIT_OK, type Command } from '../io';

const USAGE = `usage: vault-ceremony status [--json]

Prints the replication state of the Vault node at VAULT_ADDR: DR and performance mode and state,
peers, last heartbeat, WAL positions, and the health verdict the dashboard shows.
Reads VAULT_ADDR, VAULT_CACERT, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME and
VAULT_TOKEN as the vault CLI does (the status endpoints need no token).
  --json   one JSON object: {"dr":{"mode","state",…},"performance":{"mode",…},"health":{…},"seal":{…},"verdict":{…}}
Exit 0: the node answered. 1: Vault or TLS refused (the cause is printed). 2: bad arguments or environment.
`;

const COMMAND: CommandUsage = { name: 'status', usage: USAGE };

export function statusCommandFor(env: Readonly<Record<string, string | undefined>>, cwd: string): Command {
  return async (argv, io) => {
    const parsed = parseCommandLine(argv, io, COMMAND, { json: { type: 'boolean' } });
    if (typeof parsed === 'number') return parsed;
    const profile = profileFromVaultEnv({ ...env }, 'environment', { cwd });
    if (!profile.ok) return usageError(io, COMMAND, profile.error.message);
    const token = env['VAULT_TOKEN']?.trim();
    const client = await connectProfile(profile.value, token ? { token } : {});
    if (!client.ok) {
      io.stderr(`vault-ceremony status: ${client.error.message}\n`);
      return EXIT_FAILED;
    }
    try {
      const overview = await readReplicationOverview(client.value, {
        label: 'environment',
        address: profile.value.address,
        now: new Date(),
      });
      const report = statusReport(overview);
      io.stdout(parsed.values.json ? `${JSON.stringify(report)}\n` : statusText(report));
      const failures = [overview.replication, overview.health, overview.seal].flatMap((s) => (s.ok ? [] : [s.error]));
      if (failures.length === 3) {
        // Nothing answered: the first cause names it (TLS refused, connection refused, permission denied…).
        io.stderr(`vault-ceremony status: could not read the node: ${failures[0]!.message}\n`);
        return EXIT_FAILED;
      }
      return EXIT_OK;
    } finally {
      client.value.close();
    }
  };
}

export const statusCommand: Command = statusCommandFor(process.env, process.cwd());
