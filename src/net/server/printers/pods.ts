// Pods: NAME READY STATUS RESTARTS AGE, and (wide) IP NODE NOMINATED NODE READINESS GATES.
// STATUS is the reason kubectl users know (Pending, ContainerCreating, Running, Completed,
// CrashLoopBackOff, Init:0/2, Init:Error, Terminating…), computed as printPod does in
// pkg/printers/internalversion/printers.go: the last container with something to say wins.

import type { Container, KubeObject, Pod } from '../../../core/api/types.js';
import { age, ageColumn, nameColumn } from './common.js';
import { docs } from './descriptions.js';
import { humanDuration, timestampMs } from './format.js';
import { column, type Printer, type TableCell, type TableRowCondition } from './types.js';

type PodStatus = NonNullable<Pod['status']>;
type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type PodCondition = NonNullable<PodStatus['conditions']>[number];

const columns = Object.freeze([
  nameColumn,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'string',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  ageColumn,
  column('IP', 'string', docs.podStatus.podIP, 1),
  column('Node', 'string', docs.podSpec.nodeName, 1),
  column('Nominated Node', 'string', docs.podStatus.nominatedNodeName, 1),
  column('Readiness Gates', 'string', docs.podSpec.readinessGates, 1),
]);

const succeededConditions: readonly TableRowCondition[] = Object.freeze([
  Object.freeze({
    type: 'Completed',
    status: 'True',
    reason: 'Succeeded',
    message: 'The pod has completed successfully.',
  } as const),
]);
const failedConditions: readonly TableRowCondition[] = Object.freeze([
  Object.freeze({ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' } as const),
]);

/** The reason set on pods of an unreachable node (pkg/util/node.NodeUnreachablePodReason). */
const nodeUnreachablePodReason = 'NodeLost';

/** A sidecar: an init container with restartPolicy Always (podutil.IsRestartableInitContainer). */
function isRestartable(c: Container | undefined): boolean {
  return c !== undefined && c.restartPolicy === 'Always';
}

function findInitContainer(spec: Pod['spec'], name: string): Container | undefined {
  const list = spec?.initContainers;
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) if (list[i]?.name === name) return list[i];
  return undefined;
}

function conditionTrue(conditions: readonly PodCondition[] | undefined, type: string): boolean {
  if (conditions === undefined) return false;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] as PodCondition;
    if (c.type === type && c.status === 'True') return true;
  }
  return false;
}

/** The later of `current` and the container's last termination time (NaN = zero time). */
function laterRestart(current: number, cs: ContainerStatus): number {
  const finished = timestampMs(cs.lastState?.terminated?.finishedAt);
  if (Number.isNaN(finished)) return current;
  return Number.isNaN(current) || current < finished ? finished : current;
}

/** The READY, STATUS and RESTARTS of a pod, as printPod computes them (e.g. for a CLI). */
export function podSummary(pod: Pod, nowMs: number): { ready: string; status: string; restarts: string } {
  const cells: TableCell[] = [];
  pushPodSummary(pod, nowMs, cells);
  return { ready: String(cells[0]), status: String(cells[1]), restarts: String(cells[2]) };
}

/** Appends READY, STATUS and RESTARTS to `cells` (no allocation beyond the strings). */
function pushPodSummary(pod: Pod, nowMs: number, cells: TableCell[]): void {
  const spec = pod.spec;
  const status: PodStatus = pod.status ?? {};
  const initContainers = spec?.initContainers ?? [];
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = spec?.containers.length ?? 0;
  let readyContainers = 0;
  let lastRestartMs = Number.NaN;
  let lastRestartableInitRestartMs = Number.NaN;

  const phase = status.phase ?? '';
  let reason: string = phase;
  if (status.reason !== undefined && status.reason !== '') reason = status.reason;

  const conditions = status.conditions;
  if (conditions !== undefined) {
    for (let i = 0; i < conditions.length; i++) {
      const c = conditions[i] as PodCondition;
      if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
    }
  }

  for (let i = 0; i < initContainers.length; i++) {
    if (isRestartable(initContainers[i])) totalContainers++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] as ContainerStatus;
    restarts += cs.restartCount;
    lastRestartMs = laterRestart(lastRestartMs, cs);
    const sidecar = isRestartable(findInitContainer(spec, cs.name));
    if (sidecar) {
      restartableInitRestarts += cs.restartCount;
      lastRestartableInitRestartMs = laterRestart(lastRestartableInitRestartMs, cs);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated !== undefined && terminated.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      // Initialization failed.
      if (terminated.reason === undefined || terminated.reason === '') {
        reason =
          terminated.signal !== undefined && terminated.signal !== 0
            ? `Init:Signal:${terminated.signal}`
            : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason !== undefined && waiting.reason !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestartMs = lastRestartableInitRestartMs;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] as ContainerStatus;
      restarts += cs.restartCount;
      lastRestartMs = laterRestart(lastRestartMs, cs);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason !== undefined && waiting.reason !== '') {
        reason = waiting.reason;
      } else if (terminated?.reason !== undefined && terminated.reason !== '') {
        reason = terminated.reason;
      } else if (terminated !== undefined) {
        reason =
          terminated.signal !== undefined && terminated.signal !== 0
            ? `Signal:${terminated.signal}`
            : `ExitCode:${terminated.exitCode}`;
      } else if (cs.ready && cs.state?.running !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed while another still runs is Running (or NotReady).
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === nodeUnreachablePodReason) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && !Number.isNaN(lastRestartMs)) {
    restartsText = `${restarts} (${humanDuration(nowMs - lastRestartMs)} ago)`;
  }
  cells.push(`${readyContainers}/${totalContainers}`, reason, restartsText);
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates;
  if (gates === undefined || gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  let trueConditions = 0;
  for (const gate of gates) {
    for (const c of conditions) {
      if (c.type === gate.conditionType) {
        if (c.status === 'True') trueConditions++;
        break;
      }
    }
  }
  return `${trueConditions}/${gates.length}`;
}

export const podPrinter: Printer = Object.freeze({
  columns,
  cells(obj: KubeObject, nowMs: number): TableCell[] {
    const pod = obj as Pod;
    const podIP = pod.status?.podIPs?.[0]?.ip ?? '';
    const nodeName = pod.spec?.nodeName ?? '';
    const nominated = pod.status?.nominatedNodeName ?? '';
    const cells: TableCell[] = [pod.metadata.name ?? ''];
    pushPodSummary(pod, nowMs, cells);
    cells.push(
      age(pod, nowMs),
      podIP === '' ? '<none>' : podIP,
      nodeName === '' ? '<none>' : nodeName,
      nominated === '' ? '<none>' : nominated,
      readinessGates(pod),
    );
    return cells;
  },
  conditions(obj: KubeObject): readonly TableRowCondition[] | undefined {
    const phase = (obj as Pod).status?.phase;
    if (phase === 'Succeeded') return succeededConditions;
    if (phase === 'Failed') return failedConditions;
    return undefined;
  },
});
