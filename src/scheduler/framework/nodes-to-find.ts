// How many feasible nodes a scheduling cycle looks for before it stops filtering and scores what
// it found: kube-scheduler's numFeasibleNodesToFind (pkg/scheduler/schedule_one.go).
//
//   percentage 100 (Coxswain's default): every node.
//   percentage 0 (kube-scheduler's default, "adaptive"): 50 − nodes/125, at least 5%; so
//     5000 nodes → 10% (500), 15,000 nodes → 5% (750).
//   never fewer than 100 nodes; clusters under 100 nodes are always searched whole.
//
// The search starts where the previous cycle stopped (nextStartNodeIndex), so successive pods
// see different nodes.

/** Below this many nodes every node is searched; never fewer are looked for. */
export const minFeasibleNodesToFind = 100;
/** The floor of the adaptive percentage. */
export const minFeasibleNodesPercentageToFind = 5;

/** Feasible nodes to find among `nodes` for a profile's percentageOfNodesToScore (0: adaptive). */
export function numFeasibleNodesToFind(percentage: number, nodes: number): number {
  if (nodes < minFeasibleNodesToFind) return nodes;
  let pct = percentage;
  if (pct === 0) {
    // Go's integer division: 50 - 4999/125 = 11.
    pct = 50 - Math.trunc(nodes / 125);
    if (pct < minFeasibleNodesPercentageToFind) pct = minFeasibleNodesPercentageToFind;
  }
  const found = Math.trunc((nodes * pct) / 100);
  return found < minFeasibleNodesToFind ? minFeasibleNodesToFind : found;
}
