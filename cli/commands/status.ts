/**
 * `vault-ceremony status [--json] [--node ADDR[=SERVER_NAME] …] [--balancer]`: reads one node's
 * replication state with the `vault` CLI's environment (VAULT_ADDR, VAULT_CACERT, VAULT_CLIENT_CERT,
 * VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME, VAULT_TOKEN) and prints the dashboard's verdict in plain
 * language, or as JSON for scripts; with an HA cluster's nodes (or a balancer), every node's role,
 * health and raft index too. Exit 0 when the node answered, 1 when Vault or TLS refused, 2 for bad arguments.
 */
import { connectProfile } from '../../electron/services/vault/connect';
import { readReplicationOverview } from '../../electron/services/vault/read-replication-overview';
import {
  parseConnectionProfile,
  profileFromVaultEnv,
  clusterNodeFromText,
} from '../../shared/profiles/connection-profile';
import { visibleLines, visibleText } from '../../shared/record/visible-text';
import { statusReport, statusText } from '../../shared/replication/status-report';
import { err } from '../../shared/result';
import { parseCommandLine, usageError, type CommandUsage } from '../command-line';
import { EXIT_FAILED, EXIT_OK, type Command } from '../io';

const USAGE = `usage: vault-ceremony status [--json] [--node ADDR[=SERVER_NAME] …] [--balancer]

Prints the replication state of the Vault node at VAULT_ADDR: DR and performance mode and state,
peers, last heartbeat, WAL positions, and the health verdict the dashboard shows.
Reads VAULT_ADDR, VAULT_CACERT, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME and
VAULT_TOKEN as the vault CLI does (the status endpoints need no token).
  --json       one JSON object: {"dr":{"mode","state",…},"performance":{"mode",…},"health":{…},"seal":{…},
               "verdict":{…}}, with "cluster":{"nodes":[…],"verdict":{…}} for an HA cluster
  --node ADDR  a node of VAULT_ADDR's HA cluster (repeat for each; =SERVER_NAME when its certificate
               names another host than VAULT_TLS_SERVER_NAME): every node is asked who leads
               (sys/leader), the replication state is read from the active one, and each node's
               role, health, seal and raft index are shown
  --balancer   VAULT_ADDR is a load balancer, not a node: the active node is found through the
               leader_address its sys/leader names (list the nodes with --node to see the standbys)
Exit 0: the node answered. 1: Vault or TLS refused (the cause is printed). 2: bad arguments or environment.
`;

const COMMAND: CommandUsage = { name: 'status', usage: USAGE };

export function statusCommandFor(env: Readonly<Record<string, string | undefined>>, cwd: string): Command {
  return async (argv, io) => {
    const parsed = parseCommandLine(argv, io, COMMAND, {
      json: { type: 'boolean' },
      node: { type: 'string', multiple: true },
      balancer: { type: 'boolean' },
    });
    if (typeof parsed === 'number') return parsed;
    const profile = haProfile(
      profileFromVaultEnv({ ...env }, 'environment', { cwd }),
      parsed.values.node ?? [],
      parsed.values.balancer === true,
    );
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
        ...(profile.value.balancer ? { balancer: profile.value.address } : {}),
      });
      const report = statusReport(overview);
      // Vault's strings may hold terminal controls; a \uXXXX escape is still valid JSON.
      io.stdout(visibleLines(parsed.values.json ? `${JSON.stringify(report)}\n` : statusText(report)));
      const failures = [overview.replication, overview.health, overview.seal].flatMap((s) => (s.ok ? [] : [s.error]));
      if (failures.length === 3) {
        // Nothing answered: the first cause names it (TLS refused, connection refused, permission denied…).
        io.stderr(`vault-ceremony status: could not read the node: ${visibleText(failures[0]!.message)}\n`);
        return EXIT_FAILED;
      }
      return EXIT_OK;
    } finally {
      client.value.close();
    }
  };
}

/** The environment's profile with the cluster's nodes and balancer the command line adds, checked as any profile. */
function haProfile(
  fromEnv: ReturnType<typeof profileFromVaultEnv>,
  nodes: readonly string[],
  balancer: boolean,
): ReturnType<typeof profileFromVaultEnv> {
  if (!fromEnv.ok || (nodes.length === 0 && !balancer)) return fromEnv;
  const listed = nodes.map(clusterNodeFromText);
  const checked = parseConnectionProfile({
    ...fromEnv.value,
    ...(listed.length > 0 ? { nodes: listed } : {}),
    ...(balancer ? { balancer } : {}),
  });
  return checked.ok ? checked : err(checked.error.kind, `${checked.error.message} (with --node/--balancer)`);
}

export const statusCommand: Command = statusCommandFor(process.env, process.cwd());
