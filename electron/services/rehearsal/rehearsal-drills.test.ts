// @tier integration
import { afterEach, describe, expect, it } from 'vitest';
import { startRehearsalVault, type RehearsalVault } from '../../../rehearsal-vault/rehearsal-cluster-set';
import { drillsOffered, runDrill } from './rehearsal-drills';

let vault: RehearsalVault | undefined;
afterEach(async () => {
  await vault?.close();
  vault = undefined;
});

async function start(nodes: number): Promise<RehearsalVault> {
  const started = await startRehearsalVault({ officers: 1, nodes });
  if (!started.ok) throw new Error(started.error.message);
  vault = started.value;
  return vault;
}

describe('rehearsal drills', () => {
  it('kills active nodes until one is left, then offers no more leader changes', async () => {
    const v = await start(3);
    const target = { vault: v, role: 'drSecondary' as const };
    expect(drillsOffered(target)).toEqual(['step-down', 'hard-kill']);
    expect(await runDrill(target, 'hard-kill')).toEqual({
      ok: true,
      value: 'dr-secondary-node-1 was killed; dr-secondary-node-2 is active now',
    });
    expect(await runDrill(target, 'step-down')).toEqual({
      ok: true,
      value: 'dr-secondary-node-2 stepped down; dr-secondary-node-3 is active now',
    });
    expect(await runDrill(target, 'hard-kill')).toMatchObject({ ok: true });
    expect(drillsOffered(target)).toEqual([]);
    expect(await runDrill(target, 'step-down')).toMatchObject({ ok: false, error: { kind: 'drill-unavailable' } });
  });

  it('offers nothing on a single node', async () => {
    const v = await start(1);
    expect(drillsOffered({ vault: v, role: 'primary' })).toEqual([]);
  });
});
