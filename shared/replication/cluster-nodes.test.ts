import { describe, expect, it } from 'vitest';
import { describeNodes, nodeRole, type ClusterNodeStatus } from './cluster-nodes';

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
