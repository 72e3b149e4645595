/**
 * The dashboard's card for an HA cluster: every node with its role (from sys/leader, so it is right
 * on a DR secondary, where every node answers health with 472), health code, seal and raft indices,
 * and one verdict on top that calls out a sealed, unreachable, cut-off or far-behind standby. The
 * addresses and Vault's own texts go through drawnText, so a node cannot hide or reorder what is
 * on screen.
 */
import { describeNodes, isSealed, nodeRole, type ClusterNodes } from '../../shared/replication/cluster-nodes';
import { drawnText } from '../../shared/record/visible-text';
import { LEVEL_LABEL } from './health-level-label';

export function ClusterNodesSection({ cluster }: { cluster: ClusterNodes }) {
  const verdict = describeNodes(cluster);
  return (
    <section
      aria-labelledby="cluster-nodes-heading"
      className={`card nodes-card verdict-${verdict.level}`}
      data-testid="cluster-nodes"
    >
      <h2 id="cluster-nodes-heading" className={`finding-${verdict.level}`}>
        Nodes: <span className="level">{LEVEL_LABEL[verdict.level]}</span>
      </h2>
      <p data-testid="cluster-verdict">{drawnText(verdict.summary)}</p>
      {verdict.problems.length > 0 && (
        <ul>
          {verdict.problems.map((problem) => (
            <li key={problem}>{drawnText(problem)}</li>
          ))}
        </ul>
      )}
      <table className="nodes">
        <caption>Every node, asked itself</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Role</th>
            <th scope="col">Health</th>
            <th scope="col">Seal</th>
            <th scope="col">DR mode</th>
            <th scope="col">Raft committed</th>
            <th scope="col">Raft applied</th>
          </tr>
        </thead>
        <tbody>
          {cluster.nodes.map((node, index) => (
            <tr key={node.address} data-testid="cluster-node" aria-current={node.active ? 'true' : undefined}>
              <th scope="row">
                {index + 1}. {drawnText(node.address)}
              </th>
              <td>{node.active ? <strong>active</strong> : nodeRole(node)}</td>
              <td>{node.healthCode === undefined ? '—' : `HTTP ${node.healthCode}`}</td>
              <td>{!node.reachable ? '—' : isSealed(node) ? 'sealed' : 'unsealed'}</td>
              <td>{node.drMode === undefined ? '—' : drawnText(node.drMode)}</td>
              <td>{node.raftCommittedIndex ?? '—'}</td>
              <td>{node.raftAppliedIndex ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
