/** For the soak drills: seeded, reproducible choices, the seeds a run asks for, and the leader faults they make. */
import type { HaCluster } from '../../rehearsal-vault/ha-cluster';

/** mulberry32: small, seeded, and the same on every machine. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

/** The seeds in `spec` ("1-40", "3,7,9"), or `fallback` without one. */
export function seedsFrom(spec: string | undefined, fallback: string): number[] {
  return (spec ?? fallback).split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

/** A change of leader on `ha`, made now: the killed node stays down until restarted. */
export function makeLeaderFault(
  ha: HaCluster,
  fault: 'step-down' | 'election' | 'hard-kill' | 'old-leader-back',
): void {
  if (fault === 'step-down') ha.stepDown();
  else if (fault === 'election') ha.stepDown({ leaderlessMs: 500 });
  else if (fault === 'hard-kill') {
    if (ha.nodes.filter((n) => n.up).length > 1) void ha.hardKill();
  } else {
    const old = ha.nodes.find((n) => n.activeSince !== undefined);
    ha.stepDown();
    if (old?.up && !old.sealedApart) ha.makeActive(old.id);
  }
}
