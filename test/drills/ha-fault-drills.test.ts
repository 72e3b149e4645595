// @tier integration
/**
 * HA fault drills: the faults a real promotion night brings to a 3-node DR secondary, made at a
 * chosen moment of a whole headless ceremony over mutual TLS. The generation attempt lives only in
 * the active node's memory, so a leader change (step-down, a killed node, an old leader coming
 * back) must end in a witnessed restart on the node that leads, and promote must never be sent
 * twice blindly. A partitioned or removed standby is reported but does not stop the ceremony.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HaCluster } from '../../rehearsal-vault/ha-cluster';
import { ATTEMPT, cleanUp, kindOf, UPDATE } from './drill-support';
import type { ServiceStatus } from '../../shared/ceremony/ceremony-snapshot';
import {
  electionWhenAsked,
  expectVerifiesAnchored,
  finishAndVerify,
  haDrill,
  leaderlessAt,
  ofType,
  startedAttempts,
  type HaDrill,
} from './ha-drill-support';

afterEach(cleanUp);

/** Every share the laptop decrypted, the very buffers it held (observed, not replaced). */
const decrypted = vi.hoisted(() => [] as Uint8Array[]);
vi.mock('../../electron/services/pgp/share-plaintext', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/services/pgp/share-plaintext')>();
  return {
    ...real,
    shareFromPlaintext(plaintext: Uint8Array) {
      const result = real.shareFromPlaintext(plaintext);
      if (result.ok) decrypted.push(result.value);
      return result;
    },
  };
});

const PROMOTE = 'sys/replication/dr/secondary/promote';
const DR_STATUS = 'sys/replication/dr/status';

const nodesOf = (d: HaDrill) => d.vault.drSecondary.nodes.map((n) => n.apiAddr);
const leaderChanges = (d: HaDrill) =>
  ofType(d, 'active-node').map((e) => [e.details['previous'] ?? null, e.details['node']]);
const requests = (d: HaDrill, method: string, path: string) =>
  ofType(d, 'vault-request').filter((e) => e.details['method'] === method && e.details['path'] === path);
const accepted = (d: HaDrill, n: number) => () => d.log.some((l) => l.includes(`accepted: ${n} of 3`));
const atStep = (step: string) => () => (s: ServiceStatus) => s.step === step;

/** Makes a fault the moment the first request for `path` reaches a node, before it is routed; says whether it did. */
function onFirst(ha: HaCluster, path: string, fault: () => void): () => boolean {
  let done = false;
  ha.onRequest = (_node, request) => {
    if (request.path !== path || done) return;
    done = true;
    fault();
  };
  return () => done;
}

/** The restart is a detected deviation a witness confirmed, and the attempts ran on the nodes given. */
function expectWitnessedRestart(d: HaDrill, nodes: readonly string[]) {
  const detected = ofType(d, 'deviation').filter((e) => e.details['detected'] === true);
  expect(detected.map(kindOf)).toEqual(nodes.slice(1).map(() => expect.stringMatching(/attempt-lost|nonce-changed/)));
  expect(ofType(d, 'deviation-witnessed')).toHaveLength(detected.length);
  const attempts = startedAttempts(d);
  expect(attempts.map((a) => a.node)).toEqual(nodes);
  expect(new Set(attempts.map((a) => a.nonce)).size).toBe(nodes.length);
  // What the ceremony took as its attempt names the node it lives on with its nonce.
  const taken = ofType(d, 'service-result')
    .map((e) => e.details['event'] as { facts?: { kind?: string; attempt?: { node?: string; nonce?: string } } })
    .filter((e) => e.facts?.kind === 'start-attempt')
    .map((e) => e.facts?.attempt);
  expect(taken.map((t) => [t?.node, t?.nonce])).toEqual(attempts.map((a) => [a.node, a.nonce]));
}

describe('HA fault drills', () => {
  for (const shares of [0, 1]) {
    it(`the active node steps down after ${shares} share(s): the ceremony restarts on the new leader as a witnessed deviation and promotes`, async () => {
      const d = await haDrill(`step-down-${shares}`, { nodes: 3 });
      const [first, second] = nodesOf(d);
      await d.play(shares === 0 ? () => startedAttempts(d).length === 1 : accepted(d, 1));
      expect(requests(d, 'PUT', UPDATE)).toHaveLength(shares);
      d.vault.ha('drSecondary').stepDown();
      await finishAndVerify(d);

      expect(leaderChanges(d)).toEqual([
        [null, first],
        [first, second],
      ]);
      const [lost] = ofType(d, 'deviation');
      expect(lost?.details['reason']).toMatch(/active node changed from .* lived only in/);
      expectWitnessedRestart(d, [first!, second!]);
      // The attempt was re-read on the new leader before any share went there.
      const afterChange = d.journal().findIndex((e) => e.type === 'active-node' && e.details['previous'] === first);
      const nextCall = d
        .journal()
        .slice(afterChange + 1)
        .find((e) => e.type === 'vault-request');
      expect(nextCall?.details).toMatchObject({ method: 'GET', path: ATTEMPT, node: second });
    });
  }

  // Each action that asks who leads before it is sent (ceremony-actions.ts HA_ROUTED), during an election.
  // A share retried on the new leader finds the attempt lost with the old one: a witnessed restart.
  // `elected` is the node the election makes leader, `attempts` the nodes the attempts ran on.
  it.each([
    { action: 'generate-otp', at: atStep('attest-primary-fenced'), step: 'generate-otp', attempts: [1] },
    { action: 'start-attempt', at: atStep('generate-otp'), step: 'start-attempt', attempts: [1] },
    { action: 'the first share', at: atStep('share-entry'), step: 'share-entry', attempts: [0, 1] },
    { action: 'the last share', at: (d: HaDrill) => accepted(d, 2), step: 'share-entry', attempts: [0, 1] },
    // After a step-down lost the attempt, the restart cancels it where the new leader is.
    {
      action: 'cancel-attempt',
      scene: async (d: HaDrill) => (await d.play(accepted(d, 1)), d.vault.ha('drSecondary').stepDown()),
      at: atStep('cancel-attempt'),
      step: 'cancel-attempt',
      elected: 2,
      attempts: [0, 2],
    },
    { action: 'promote', at: atStep('promote'), step: 'promote', attempts: [0] },
    { action: 'delete-operation-token', at: atStep('check-promoted'), step: 'delete-operation-token', attempts: [0] },
  ])(
    'no node leads as $action is to be sent: nothing is sent, the room is told why, the retry after the election goes on, and the bundle verifies',
    async ({ scene, at, step, elected = 1, attempts }) => {
      const d = await haDrill('leaderless', { nodes: 3 });
      const nodes = nodesOf(d);
      await scene?.(d);
      const failed = await leaderlessAt(d, at(d));
      expect(failed.step).toBe(step);
      // A share that was not sent is forgotten with its try: the officer enters it again.
      expect(decrypted.filter((share) => share.some((b) => b !== 0))).toEqual([]);
      // Only who leads was asked: the entry before the failure is no call of this try.
      const before = d.journal().find((e) => e.seq === failed.seq - 1);
      expect(['vault-request', 'vault-response', 'active-node']).not.toContain(before?.type);
      await finishAndVerify(d);
      await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
      // The new leader is found and recorded, and the attempt ran on the node that led when it was sent.
      expect(leaderChanges(d).at(-1)?.[1]).toBe(nodes[elected]);
      expectWitnessedRestart(
        d,
        attempts.map((i) => nodes[i]!),
      );
    },
  );

  it('no node leads as the cluster settles after promote: the laptop waits for the new leader, asking only who leads and how each node is, and the bundle verifies', async () => {
    const d = await haDrill('leaderless-settle', { nodes: 3 });
    const nodes = nodesOf(d);
    const election = electionWhenAsked(d.vault.ha('drSecondary'), PROMOTE);
    await election.make();
    await finishAndVerify(d);
    await election.clear();
    expect(election.started).toBe(true);
    expect(election.sent.filter((r) => r !== 'GET sys/health')).toEqual([]);
    expect(
      ofType(d, 'service-result').filter((e) => (e.details['event'] as { outcome: string }).outcome !== 'ok'),
    ).toEqual([]);
    const settled = ofType(d, 'cluster-settled').find((e) => e.step === 'promote')?.details;
    expect(settled?.['settled']).toBe(true);
    expect(leaderChanges(d).at(-1)).toEqual([nodes[0], nodes[1]]);
    await expectVerifiesAnchored(join(d.dir, 'bundle'), d.cast);
  });

  it("the active node steps down while promoting and promote's answer is lost: the mode is read, and promote is not sent again", async () => {
    const d = await haDrill('promote-lost', { nodes: 3 });
    const ha = d.vault.ha('drSecondary');
    const [first, second] = nodesOf(d);
    d.vault.faults.dropResponses('drSecondary', { path: /secondary\/promote$/, times: 1 });
    // The node steps down as the request arrives: it is forwarded to the new leader, which promotes.
    const steppedDown = onFirst(ha, PROMOTE, () => ha.stepDown());
    await finishAndVerify(d);
    expect(steppedDown()).toBe(true);

    expect(requests(d, 'POST', PROMOTE)).toHaveLength(1);
    expect(ha.received.filter((r) => r.path === PROMOTE).map((r) => r.actedOn)).toEqual(['dr-secondary-node-2']);
    const journal = d.journal();
    const lostAnswer = journal.findIndex(
      (e) => e.type === 'vault-response' && e.details['path'] === PROMOTE && e.details['ok'] === false,
    );
    expect(lostAnswer).toBeGreaterThan(0);
    // What decided: the cluster's own mode, read after the lost answer.
    const modeRead = journal
      .slice(lostAnswer)
      .find((e) => e.type === 'vault-response' && e.details['path'] === DR_STATUS);
    expect((modeRead?.details['data'] as { mode?: string } | undefined)?.mode).toBe('primary');
    expect(leaderChanges(d)).toContainEqual([first, second]);
  });

  it('the active node steps down as promote arrives and the cluster answers 503: the mode says not promoted, and promote is sent again only after reading it', async () => {
    const d = await haDrill('promote-503', { nodes: 3 });
    const ha = d.vault.ha('drSecondary');
    // Standbys redirect instead of forwarding, so the mode read on the old leader meets a 307 too.
    ha.forwarding = 'redirect';
    const [first, second] = nodesOf(d);
    const steppedDown = onFirst(ha, PROMOTE, () => ha.stepDown({ leaderlessMs: 800 }));
    await finishAndVerify(d);
    expect(steppedDown()).toBe(true);

    const journal = d.journal();
    const answers = journal.filter((e) => e.type === 'vault-response' && e.details['path'] === PROMOTE);
    expect(answers.map((e) => (e.details['error'] as { status?: number } | undefined)?.status ?? 200)).toEqual([
      503, 200,
    ]);
    expect(answers.map((e) => e.details['node'])).toEqual([first, second]);
    // Between the two, the cluster's mode was read and said it was still a secondary.
    const [i, j] = answers.map((a) => journal.indexOf(a));
    const reads = journal
      .slice(i, j)
      .filter((e) => e.type === 'vault-response' && e.details['path'] === DR_STATUS && e.details['ok'] === true);
    expect(reads.map((e) => (e.details['data'] as { mode: string }).mode)).toContain('secondary');
    expect(reads.every((e) => (e.details['data'] as { mode: string }).mode === 'secondary')).toBe(true);
    expect(leaderChanges(d)).toContainEqual([first, second]);
    // That read waited out the election (503s) and followed the old leader's one redirect to the new one.
    const statusCalls = ha.received.filter((r) => r.path === DR_STATUS).map((r) => [r.node, r.status]);
    expect(statusCalls).toContainEqual(['dr-secondary-node-1', 503]);
    const redirected = statusCalls.findIndex(([node, status]) => node === 'dr-secondary-node-1' && status === 307);
    expect(redirected).toBeGreaterThanOrEqual(0);
    expect(statusCalls[redirected + 1]).toEqual(['dr-secondary-node-2', 200]);
  });

  it('the active node is killed while a share is sent: the connection is cut, the leader is found again, and the lost attempt restarts as a witnessed deviation', async () => {
    const d = await haDrill('hard-kill', { nodes: 3 });
    const ha = d.vault.ha('drSecondary');
    const [first, second] = nodesOf(d);
    await d.play(accepted(d, 1));
    const killed = onFirst(ha, UPDATE, () => void ha.hardKill());
    await finishAndVerify(d);

    expect(killed()).toBe(true);
    const cut = ofType(d, 'vault-response').find(
      (e) => e.details['path'] === UPDATE && e.details['ok'] === false && e.details['node'] === first,
    );
    // No HTTP answer: the connection was cut, and the node had answered this certificate before, so
    // the room is told the node went down, not that the certificate was refused.
    expect(cut?.details['error']).toMatchObject({ kind: 'connection-reset' });
    expect((cut?.details['error'] as { status?: number }).status).toBeUndefined();
    expect(leaderChanges(d)).toEqual([
      [null, first],
      [first, second],
    ]);
    expectWitnessedRestart(d, [first!, second!]);
    // The dead node is on the record as left out when the cluster settled as primary.
    const settled = ofType(d, 'cluster-settled').at(-1)?.details;
    expect(settled?.['settled']).toBe(true);
    expect(settled?.['nodes']).toContainEqual(expect.objectContaining({ node: first, excluded: 'unreachable' }));
  });

  it('a share answered 307 by a node that just stepped down is not followed: the attempt is re-read on the new leader, and the lost attempt restarts', async () => {
    const d = await haDrill('redirected-share', { nodes: 3 });
    const ha = d.vault.ha('drSecondary');
    ha.forwarding = 'redirect';
    const [first, second] = nodesOf(d);
    await d.play(accepted(d, 1));
    const steppedDown = onFirst(ha, UPDATE, () => ha.stepDown());
    await finishAndVerify(d);
    expect(steppedDown()).toBe(true);

    const journal = d.journal();
    const redirected = journal.findIndex(
      (e) => e.type === 'vault-response' && e.details['path'] === UPDATE && e.details['ok'] === false,
    );
    expect(journal[redirected]?.details).toMatchObject({ node: first, error: { status: 307 } });
    expect(ha.received.filter((r) => r.path === UPDATE && r.status === 307)).toHaveLength(1);
    // Not followed: the next call is the attempt's status on the leader found again.
    const next = journal.slice(redirected + 1).find((e) => e.type === 'vault-request');
    expect(next?.details).toMatchObject({ method: 'GET', path: ATTEMPT, node: second });
    expectWitnessedRestart(d, [first!, second!]);
  });

  it("the nodes' api_addr names a round-robin balancer and standbys redirect: the loop is reported with what to change, and nothing is entered or promoted", async () => {
    const d = await haDrill('api-addr-loop', { nodes: 3, balancer: 'round-robin' });
    const ha = d.vault.ha('drSecondary');
    ha.forwarding = 'redirect';
    ha.advertisedApiAddr = d.vault.drSecondary.balancerAddr;
    await expect(d.play()).rejects.toThrow(
      /api_addr names the load balancer.*Set each node's api_addr to its own address, or list the nodes themselves/,
    );

    // Every redirect was to the balancer, and none was followed back to it.
    const redirects = ha.received.filter((r) => r.status === 307);
    expect(redirects.length).toBeGreaterThan(0);
    expect(ofType(d, 'vault-response').some((e) => e.details['path'] === UPDATE && e.details['ok'] === true)).toBe(
      false,
    );
    expect(requests(d, 'POST', PROMOTE)).toHaveLength(0);
    expect(d.vault.cluster('drSecondary').replication.dr.mode).toBe('secondary');
  });

  for (const [membership, code, excluded] of [
    ['standby-unhealthy', 474, 'partitioned'],
    ['removed', 530, 'removed'],
  ] as const) {
    it(`a ${excluded} standby (${code}) is reported when the cluster settles but does not stop the ceremony`, async () => {
      const d = await haDrill(`standby-${excluded}`, { nodes: 3 });
      const [, , third] = nodesOf(d);
      await d.play(accepted(d, 1));
      d.vault.ha('drSecondary').isolate('dr-secondary-node-3', membership);
      await finishAndVerify(d);

      expect(ofType(d, 'deviation')).toHaveLength(0);
      const settled = ofType(d, 'cluster-settled').at(-1)?.details;
      expect(settled?.['settled']).toBe(true);
      expect(settled?.['nodes']).toContainEqual({
        node: third,
        active: false,
        dr_mode: 'secondary',
        health: code,
        excluded,
      });
    });
  }

  it('an old leader comes back active with its stale attempt: the ceremony sees the nonce is not its own, cancels it, and never enters a share into it', async () => {
    const d = await haDrill('stale-attempt', { nodes: 3 });
    const ha = d.vault.ha('drSecondary');
    const [first, second] = nodesOf(d);
    await d.play(accepted(d, 1));
    const stale = startedAttempts(d)[0]!.nonce;
    ha.stepDown();
    await d.play(() => startedAttempts(d).length === 2);
    ha.makeActive('dr-secondary-node-1');
    expect(ha.node('dr-secondary-node-1').slot.current?.nonce).toBe(stale);
    const resurfaced = d.journal().length;
    await finishAndVerify(d);

    const after = d.journal().slice(resurfaced);
    const sent = after.filter((e) => e.type === 'vault-request' && e.details['path'] === UPDATE);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((e) => (e.details['body'] as { nonce?: string }).nonce !== stale)).toBe(true);
    // It was seen on node 1 as not this ceremony's attempt, and cancelled there.
    const seen = after.find(
      (e) => e.type === 'vault-response' && e.details['method'] === 'GET' && e.details['path'] === ATTEMPT,
    );
    expect(seen?.details).toMatchObject({ node: first, data: { nonce: stale } });
    expect(
      after.some((e) => e.type === 'vault-request' && e.details['method'] === 'DELETE' && e.details['node'] === first),
    ).toBe(true);
    expect(leaderChanges(d)).toEqual([
      [null, first],
      [first, second],
      [second, first],
    ]);
    expectWitnessedRestart(d, [first!, second!, first!]);
  });
});
