/**
 * The wizard's channels (`ceremony.*`), each a thin call into the ceremony session
 * (electron/services/session/ceremony-session.ts). Every answer is the ceremony as it now stands, so the wizard renders
 * what the main process holds rather than what it guesses.
 */
import { err, ok, type Result } from '../../../shared/result';
import type { CeremonySnapshot } from '../../../shared/ceremony/ceremony-snapshot';
import type { AppSession } from '../../services/session/app-session';
import type { CeremonySession } from '../../services/session/ceremony-session';
import { bundleView } from './bundle-view';
import type { ChannelHandlers } from './handler-registry';
import type { SaveFilePurpose } from '../dialogs/save-file-dialog';

/** What the activation token's handover needs from Electron: a save dialog and the clipboard. */
export interface HandoverDevices {
  readonly saveFile: (purpose: SaveFilePurpose) => Promise<string | null>;
  readonly writeClipboard: (text: string) => Promise<void>;
}

type CeremonyChannel = Extract<keyof ChannelHandlers, `ceremony.${string}`>;

const state = (r: Result<CeremonySnapshot | null>): Result<{ ceremony: CeremonySnapshot | null }> =>
  r.ok ? ok({ ceremony: r.value }) : r;

export function ceremonyHandlers(
  ceremony: CeremonySession,
  session: AppSession,
  devices: HandoverDevices,
): Pick<ChannelHandlers, CeremonyChannel> {
  return {
    'ceremony.status': async () => ok({ ceremony: ceremony.snapshot() }),
    'ceremony.startRehearsal': async (setup) => state(await ceremony.startRehearsal(setup)),
    'ceremony.startFailbackRehearsal': async (request) => {
      if (session.current.mode !== 'rehearsal')
        return err(
          'wrong-session',
          "this session works against a live profile, not the rehearsal Vault: choose 'Rehearsal' on the Start screen to rehearse the failback",
        );
      return state(await ceremony.startFailbackRehearsal(request));
    },
    'ceremony.startFromPlan': async ({ planPath, officerKeysPath }) =>
      state(await ceremony.startFromPlan(planPath, officerKeysPath, session.current)),
    'ceremony.resumable': async () => ok({ journals: await ceremony.resumable() }),
    'ceremony.resume': async ({ id, officerKeysPath }) =>
      state(await ceremony.resume(id, officerKeysPath, session.current)),
    'ceremony.act': async (event) => state(await ceremony.act(event)),
    'ceremony.drill': async ({ drill }) => {
      if (session.current.mode !== 'rehearsal')
        return err('wrong-session', 'drills are offered only in a rehearsal session, never against a live cluster');
      return ceremony.drill(drill);
    },
    'ceremony.retry': async ({ reconnect }) => state(await ceremony.retry(reconnect)),
    'ceremony.inspectShare': async ({ pasted }) => ceremony.inspectShare(pasted),
    'ceremony.submitShare': async ({ officer, pasted, unlock }) =>
      state(await ceremony.submitShare(officer, pasted, unlock)),
    'ceremony.provideToken': async (input) => state(await ceremony.provideToken(input)),
    'ceremony.authorise': async ({ actor, key }) => state(await ceremony.authorise(actor, key)),
    'ceremony.sign': async ({ signer, key }) => state(await ceremony.sign(signer, key)),
    'ceremony.transcript': async () => {
      const text = await ceremony.transcript();
      return text.ok ? ok({ text: text.value }) : text;
    },
    'ceremony.export': async ({ dir }) => {
      const report = await ceremony.exportBundle(dir);
      if (!report.ok) return report;
      return ok(bundleView(dir, report.value, null));
    },
    'ceremony.startOperation': async ({ target, operation, people }) => {
      if (target.kind === 'rehearsal' && session.current.mode !== 'rehearsal')
        return err(
          'wrong-session',
          "this session works against a live profile, not the rehearsal Vault: choose 'Rehearsal' on the Start screen to rehearse an operation",
        );
      return state(await ceremony.startOperation(target, operation, { session: session.current, people }));
    },
    'ceremony.revealActivationToken': async () => {
      const token = ceremony.revealActivationToken();
      return token.ok ? ok({ token: token.value }) : token;
    },
    'ceremony.copyActivationToken': async () => state(await ceremony.copyActivationToken(devices.writeClipboard)),
    'ceremony.saveActivationToken': async () => {
      const path = await devices.saveFile('activation-token');
      return state(path === null ? ok(ceremony.snapshot()) : await ceremony.saveActivationToken(path));
    },
    'ceremony.close': async () => state(await ceremony.close()),
  };
}
