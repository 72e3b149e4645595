/**
 * An in-app rehearsal of the failback: the old primary of the app's rehearsal Vault demoted, a DR
 * operation token generated on it from officers' shares, and update-primary pointing it at the
 * promoted DR secondary with an activation token, as its own ceremony with its own kit, journal and
 * signed authorisations. It starts through the one rehearsal harness (../rehearsal/rehearsal-ceremony.ts).
 *
 * The scene is either the rehearsal Vault a finished promotion rehearsal left (the DR secondary
 * promoted, the old primary still primary), or a fresh rehearsal Vault whose promotion is first
 * played headless, as `rehearse --kind failback` does (its own signed bundle in KIT/promotion/).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { err, ok, type Result } from '../../../shared/result';
import type { RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { describeFsError } from '../files/fs-error';
import { stageFailback } from '../rehearsal/headless-rehearsal';
import { generateSigners } from '../rehearsal/rehearsal-cast';
import { rehearsalClients, startRehearsalCeremony } from '../rehearsal/rehearsal-ceremony';
import type { RehearsalHost } from '../rehearsal/rehearsal-host';
import { KIT_JOURNAL } from '../rehearsal/rehearsal-kit';
import {
  connectTarget,
  DR_SECONDARY_PROFILE,
  PRIMARY_PROFILE,
  type RehearsalProfile,
  type RehearsalTarget,
} from '../rehearsal/rehearsal-target';
import {
  freshRehearsalVault,
  kitWriter,
  rehearsalKitDir,
  type InAppRehearsal,
  type RehearsalSetup,
} from './in-app-rehearsal';
import { swappableClient } from './swappable-client';

export type FailbackRehearsalRequest =
  /** On a fresh rehearsal Vault: its promotion is played first, with the generated officers' keys. */
  | { readonly fresh: RehearsalSetup }
  /** On the rehearsal Vault as a promotion rehearsal left it; new signing keys protected by `keyPassphrase`. */
  | { readonly keyPassphrase?: string | undefined };

export async function startInAppFailback(
  host: RehearsalHost,
  request: FailbackRehearsalRequest,
  where: { readonly dataDir: string; readonly now: () => Date },
): Promise<Result<InAppRehearsal>> {
  const fresh = 'fresh' in request ? request.fresh : undefined;
  if (fresh?.officerKeyPaths)
    return err(
      'invalid-rehearsal',
      "a failback rehearsal on a fresh rehearsal Vault first plays its promotion with generated officers' keys, so it cannot use the officers' own keys: rehearse the promotion with them, then the failback from its finished page",
    );
  const scene = 'fresh' in request ? await freshRehearsalVault(host, request.fresh) : await runningScene(host, request);
  if (!scene.ok) return scene;
  const { vault, passphrase } = scene.value;
  const { id, kitDir } = rehearsalKitDir(where, 'rehearsal-failback');
  const made = await mkdir(dirname(kitDir), { recursive: true, mode: 0o700 }).then(
    () => undefined,
    (e: unknown) => describeFsError(e),
  );
  if (made !== undefined) return err('kit-unwritable', `cannot create ${dirname(kitDir)}: ${made}`);

  const target = await connectTarget({
    kind: 'in-process',
    vault,
    ...(passphrase ? { officerPassphrase: passphrase } : {}),
  });
  if (!target.ok) return target;
  try {
    const signers = await generateSigners(passphrase ? { chosen: passphrase } : undefined);
    if (fresh) {
      const staged = await stageFailback(
        { out: kitDir, log: () => undefined, clock: where.now },
        target.value,
        signers,
      );
      if (!staged.ok) return staged;
    }
    const ready = await checkScene(target.value);
    if (!ready.ok) return ready;

    const clients = await rehearsalClients(target.value, 'failback');
    if (!clients.ok) return clients;
    const connections = (Object.keys(clients.value) as RehearsalProfile[]).map((profile) => ({
      profile,
      swappable: swappableClient(clients.value[profile]!),
      // The failback's clients carry the rehearsal's root token (rehearsal-ceremony.ts says why).
      reconnect: () => target.value.connect(target.value.primaryRootToken, profile),
    }));
    const started = await startRehearsalCeremony({
      target: target.value,
      signers,
      id,
      kind: 'failback',
      journalPath: join(kitDir, KIT_JOURNAL),
      clients: Object.fromEntries(connections.map((c) => [c.profile, c.swappable.client])),
      clock: where.now,
      prepare: kitWriter(kitDir, vault, signers),
    });
    if (!started.ok) {
      for (const c of connections) c.swappable.client.close();
      return started;
    }
    return ok({ service: started.value, connections, kitDir });
  } finally {
    target.value.client.close();
  }
}

/** The running rehearsal Vault, to fail back on as the promotion rehearsal left it. */
async function runningScene(
  host: RehearsalHost,
  request: { readonly keyPassphrase?: string | undefined },
): Promise<Result<{ readonly vault: RehearsalVault; readonly passphrase: string | undefined }>> {
  const vault = await host.vault();
  if (!vault.ok) return vault;
  return ok({ vault: vault.value, passphrase: request.keyPassphrase || undefined });
}

/**
 * A failback begins with two primaries: the promoted DR secondary, and the old primary back and
 * still primary. Anything else (no promotion yet, a failback already done) is refused before a kit
 * or journal is written, saying what to do instead.
 */
async function checkScene(target: RehearsalTarget): Promise<Result<void>> {
  const modes: Partial<Record<RehearsalProfile, string>> = {};
  for (const profile of [DR_SECONDARY_PROFILE, PRIMARY_PROFILE] as const) {
    const client = await target.connect(undefined, profile);
    if (!client.ok) return client;
    try {
      const status = await client.value.replicationStatus();
      if (!status.ok)
        return err('rehearsal-unreadable', `cannot read the rehearsal ${profile}: ${status.error.message}`);
      modes[profile] = status.value.data.dr.mode;
    } finally {
      client.value.close();
    }
  }
  if (modes[DR_SECONDARY_PROFILE] !== 'primary')
    return err(
      'no-promotion',
      `the rehearsal Vault's DR secondary reports DR mode '${modes[DR_SECONDARY_PROFILE] ?? '?'}', so there is nothing to fail back to: rehearse the promotion first, or rehearse the failback on a fresh rehearsal Vault`,
    );
  if (modes[PRIMARY_PROFILE] !== 'primary')
    return err(
      'failed-back-already',
      `the rehearsal Vault's old primary reports DR mode '${modes[PRIMARY_PROFILE] ?? '?'}', not 'primary': it has been failed back already; rehearse the failback on a fresh rehearsal Vault`,
    );
  return ok(undefined);
}
