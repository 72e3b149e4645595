/**
 * Promotion ceremony: start one (from a plan, or a rehearsal), then the wizard. The ceremony
 * lives in the main process, so leaving this screen (to fix a profile, say) and coming back
 * picks it up where it stands.
 */
import type { AppInfo } from '../../shared/ipc/ipc-contract';
import { CeremonyStart } from '../ceremony/ceremony-start';
import { CeremonyWizard } from '../ceremony/ceremony-wizard';
import { useCeremony } from '../ceremony/use-ceremony';

export function CeremonyScreen({ info }: { info: AppInfo | undefined }) {
  const handle = useCeremony();
  if (handle.ceremony === undefined) return <p role="status">Reading the ceremony’s state…</p>;
  if (handle.ceremony === null) return <CeremonyStart info={info} handle={handle} />;
  return <CeremonyWizard ceremony={handle.ceremony} handle={handle} />;
}
