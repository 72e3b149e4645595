import { describe, expect, it } from 'vitest';
import { describeNodes, nodeRole, raftLag, RAFT_TRAILING_ENTRIES, type ClusterNodeStatus } from './cluster-nodes';

const node = (n: number, extra: Partial<ClusterNodeStatus> = {}): ClusterNodeStatus => ({
  address: `https://10.0.0.${n}:8200`,
  reachable: true,
  active: false,
  healthCode: 472,
  drMode: 'secondary',
  ...extra,
});

describe('describeNodes', () => {
  it('names the active node by the role sys/leader gives, not the health code every DR secondary node shares', () => {
    const verdict = describeNodes({ nodes: [node(1), node(2, { active: true }), node(3)] });
    expect(verdict).toEqual({
      level: 'good',
      summary: '3 nodes, active: node 2 (https://10.0.0.2:8200), all unsealed',
      problems: [],
    });
  });

  it('calls out a sealed standby, an unreachable one and one cut off from the active node', () => {
    const verdict = describeNodes({
      nodes: [
        node(1, { active: true }),
        node(2, { healthCode: 503 }),
        node(3, { reachable: false, healthCode: undefined, problem: 'connection refused' }),
        node(4, { healthCode: 474 }),
        node(5, { healthCode: 473 }),
      ],
    });
    expect(verdict.level).toBe('attention');
    expect(verdict.summary).toBe('5 nodes, active: node 1 (https://10.0.0.1:8200), 1 sealed, 1 unreachable');
    expect(verdict.problems).toEqual([
      'node 3 (https://10.0.0.3:8200) is unreachable: connection refused',
      'node 2 (https://10.0.0.2:8200) is sealed: it serves nothing and cannot take over until unsealed',
      'node 4 (https://10.0.0.4:8200) is a standby, cut off from the active node',
    ]);
  });

  it('is critical with no leader, or two that claim to lead', () => {
    expect(describeNodes({ nodes: [node(1), node(2)] })).toMatchObject({
      level: 'critical',
      summary: '2 nodes, no active node, all unsealed',
    });
    const two = describeNodes({ nodes: [node(1, { active: true }), node(2, { active: true })] });
    expect(two.level).toBe('critical');
    expect(two.problems[0]).toMatch(/^2 nodes claim to be active/);
  });

  it('says when only the active node is known behind a balancer', () => {
    expect(describeNodes({ nodes: [node(2, { active: true })], balancer: 'https://lb:8200' }).summary).toBe(
      '1 node, behind balancer https://lb:8200 (standbys not listed in the profile), active: node 1 (https://10.0.0.2:8200), all unsealed',
    );
  });

  describe('a standby behind the active node’s raft log', () => {
    const raft = (committed: number, applied: number) => ({ raftCommittedIndex: committed, raftAppliedIndex: applied });

    it('is called out when its applied index trails the active node’s committed one by more than the threshold', () => {
      const verdict = describeNodes({
        nodes: [
          node(1, { active: true, ...raft(52_000, 51_998) }),
          node(2, raft(52_000, 51_990)),
          node(3, raft(50_500, 50_400)),
        ],
      });
      expect(verdict.level).toBe('attention');
      expect(verdict.summary).toBe('3 nodes, active: node 1 (https://10.0.0.1:8200), all unsealed');
      expect(verdict.problems).toEqual([
        'node 3 (https://10.0.0.3:8200) is 1600 raft entries behind the active node (applied 50400 of 52000): still catching up, e.g. after a restart, so it cannot take over with current data yet',
      ]);
    });

    it('is not called out for the ordinary gap of entries in flight, up to the threshold itself', () => {
      const atThreshold = 52_000 - RAFT_TRAILING_ENTRIES;
      const verdict = describeNodes({
        nodes: [
          node(1, { active: true, ...raft(52_000, 51_990) }),
          node(2, raft(51_995, 51_990)),
          node(3, raft(atThreshold, atThreshold)),
          // Read a moment later than the active node: ahead of what it said, which is no lag at all.
          node(4, raft(52_010, 52_005)),
        ],
      });
      expect(verdict).toMatchObject({ level: 'good', problems: [] });
      expect(
        describeNodes({
          nodes: [node(1, { active: true, ...raft(52_000, 52_000) }), node(2, raft(1, atThreshold - 1))],
        }).problems,
      ).toHaveLength(1);
    });

    it('is not judged without one active node’s committed index to measure from, nor for an unreachable node', () => {
      expect(raftLag(node(1, { active: true }), node(2, raft(5, 5)))).toBeUndefined();
      expect(raftLag(node(1, { active: true, ...raft(5000, 5000) }), node(2))).toBeUndefined();
      const noLeader = describeNodes({ nodes: [node(1, raft(9000, 9000)), node(2, raft(10, 10))] });
      expect(noLeader.problems.some((p) => p.includes('raft'))).toBe(false);
      const down = describeNodes({
        nodes: [node(1, { active: true, ...raft(9000, 9000) }), node(2, { reachable: false, ...raft(10, 10) })],
      });
      expect(down.problems).toEqual(['node 2 (https://10.0.0.2:8200) is unreachable']);
    });
  });

  it('reads roles from health codes only for nodes that do not lead', () => {
    expect(
      [
        node(1, { active: true, healthCode: 200 }),
        node(2, { healthCode: 473 }),
        node(3, { healthCode: 530 }),
        node(4, { reachable: false }),
      ].map(nodeRole),
    ).toEqual(['active', 'performance standby', 'removed from the cluster', 'unreachable']);
  });
});
