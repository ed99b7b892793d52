// ImageLocality (weight 1): favours nodes that already have the pod's images, by size, scaled by
// how many nodes have them (so one node holding an image does not attract every pod):
//   sum   = Σ over (init) containers whose image the node has: ⌊size · nodesWithImage / liveNodes⌋
//   score = 100 · (clamp(sum, 23 MiB, 1000 MiB · containers) − 23 MiB) / (1000 MiB · containers − 23 MiB)
// Pod images without a tag get ":latest" (normalizedImageName); node image names are taken as listed.
import { stateKey, type CycleState } from '../../framework/cycle-state.js';
import type { NodeView, PreScorePlugin, PrepareContext, ScorePlugin } from '../../framework/interfaces.js';
import { maxNodeScore, names } from '../../framework/names.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { success, type Status } from '../../framework/status.js';

const mib = 1024 * 1024;
export const minThresholdBytes = 23 * mib;
export const maxContainerThresholdBytes = 1000 * mib;

export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

/** [containerCount, imageId*] (ids of images no node has are left out). */
const imagesKey = stateKey<Int32Array>('PreScoreImageLocality');

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = names.ImageLocality;
  readonly nodeLocal = true;
  readonly normalization = 'none';

  preScore(state: CycleState, pod: PodInfo, ctx: PrepareContext): Status {
    const spec = pod.pod.spec;
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const out: number[] = [containers.length];
    for (const c of containers) {
      if (c.image === undefined) continue;
      const id = ctx.intern.lookup(normalizedImageName(c.image));
      if (id >= 0) out.push(id);
    }
    state.write(imagesKey, Int32Array.from(out));
    return success;
  }

  score(state: CycleState, _pod: PodInfo, view: NodeView, nodes: Int32Array, count: number, out: Float64Array): void {
    const images = state.read(imagesKey);
    const t = view.table;
    const imagesMax = t.dims.imagesMax;
    const spreadBase = view.liveNodes;
    const containers = images === undefined ? 1 : Math.max(1, images[0] as number);
    const maxThreshold = maxContainerThresholdBytes * containers;
    for (let i = 0; i < count; i++) {
      const node = nodes[i] as number;
      let sum = 0;
      if (images !== undefined && images.length > 1) {
        const base = node * imagesMax;
        const end = base + (t.imageCount[node] as number);
        for (let k = 1; k < images.length; k++) {
          const id = images[k] as number;
          for (let s = base; s < end; s++) {
            if (t.imageId[s] === id) {
              sum += Math.trunc(((t.imageBytes[s] as number) * (view.strings.imageNodes[id] as number)) / spreadBase);
              break;
            }
          }
        }
      }
      const clamped = Math.min(Math.max(sum, minThresholdBytes), maxThreshold);
      out[i] = Math.floor((maxNodeScore * (clamped - minThresholdBytes)) / (maxThreshold - minThresholdBytes));
    }
  }
}

export function newImageLocality(): ImageLocality {
  return new ImageLocality();
}
