// The values the watch cache holds and hands out. All are immutable once built, except for the
// lazily filled encoding caches, which only ever go from empty to their one final value.
//
//   Entry       one object at one revision: the frozen object (metadata.resourceVersion stamped),
//               its key parts, the index values, and its encodings per wire format.
//   WatchItem   one event as a watcher receives it: type + object (+ its frames per format).
//               Shared: every watcher that receives the same event gets the same item.
//   CacheEvent  one committed write as the cache's ring records it: the entry before and after,
//               and the items a watcher may receive for it depending on its filter.

import type { Status } from '../core/errors.js';
import type { KubeObject } from '../core/api/types.js';
import type { WatchCodec, WatchEventType } from '../net/wire/watch-frames.js';

export type { WatchEventType } from '../net/wire/watch-frames.js';

/** An object with per-format encodings, computed on first use and then shared. */
export class Encodable<T = KubeObject | Status> {
  private json: Buffer | undefined = undefined;
  private msgpack: Buffer | undefined = undefined;

  constructor(readonly object: T) {}

  /** The object's bytes in `codec`'s format (cached: valid for the life of this value). */
  bytes(codec: WatchCodec): Buffer {
    if (codec.id === 0) {
      if (this.json === undefined) this.json = codec.encodeObject(this.object);
      return this.json;
    }
    if (this.msgpack === undefined) this.msgpack = codec.encodeObject(this.object);
    return this.msgpack;
  }

  /**
   * Keeps `view` (the same bytes, inside a frame that is cached anyway) instead of the separate
   * encoding, so an object's bytes are held once, not twice.
   */
  shareBytes(codec: WatchCodec, view: Buffer): void {
    if (codec.id === 0) this.json = view;
    else this.msgpack = view;
  }
}

export class Entry extends Encodable<KubeObject> {
  /** The lazily built ADDED item for this object (initial events of every watch share it). */
  private addedItem: WatchItem | undefined = undefined;

  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
    /** spec.nodeName ('' when unset, or when the cache does not index nodes). */
    readonly nodeName: string,
    readonly modRevision: number,
    object: KubeObject,
  ) {
    super(object);
  }

  get added(): WatchItem {
    if (this.addedItem === undefined) this.addedItem = new WatchItem('ADDED', this.modRevision, this);
    return this.addedItem;
  }
}

/**
 * One event as delivered. `revision` is the resourceVersion the event stands for: the write's
 * revision, or for initial ADDED events the object's own resourceVersion, or a bookmark's revision.
 */
export class WatchItem {
  private jsonFrame: Buffer | undefined = undefined;
  private msgpackFrame: Buffer | undefined = undefined;

  constructor(
    readonly type: WatchEventType,
    readonly revision: number,
    private readonly body: Encodable<KubeObject> | Encodable<Status>,
  ) {}

  /** The object (a frozen Kubernetes object; a Status for ERROR). Never mutate it. */
  get object(): KubeObject | Status {
    return this.body.object;
  }

  /** The whole frame in `codec`'s format, encoded once and shared by every watcher. */
  frame(codec: WatchCodec): Buffer {
    const cached = codec.id === 0 ? this.jsonFrame : this.msgpackFrame;
    if (cached !== undefined) return cached;
    let frame: Buffer;
    if (codec.frameOfObject !== undefined) {
      frame = codec.frameOfObject(this.type, this.body.object);
    } else {
      const objectBytes = this.body.bytes(codec);
      frame = codec.frame(this.type, objectBytes);
      const start = codec.frameObjectOffset(this.type);
      this.body.shareBytes(codec, frame.subarray(start, start + objectBytes.length));
    }
    if (codec.id === 0) this.jsonFrame = frame;
    else this.msgpackFrame = frame;
    return frame;
  }

  /**
   * Replaces the cached frame with `view`, the same bytes held elsewhere (a history block), so
   * they are held once. The object's own bytes follow the frame into the view when the frame
   * holds them (not for a codec that builds frames from the object).
   */
  adoptFrame(codec: WatchCodec, view: Buffer): void {
    const frameLength = this.frame(codec).length;
    if (view.length !== frameLength) throw new Error(`invariant: adopted frame of ${view.length} bytes for one of ${frameLength}`);
    if (codec.frameOfObject === undefined) {
      const start = codec.frameObjectOffset(this.type);
      this.body.shareBytes(codec, view.subarray(start, start + this.body.bytes(codec).length));
    }
    if (codec.id === 0) this.jsonFrame = view;
    else this.msgpackFrame = view;
  }
}

/**
 * One committed write. For a watcher with a filter, what it receives follows kube-apiserver's
 * cacheWatcher: with `cur` = the object after (none for a delete) and `prev` = before (none for a
 * create),
 *
 *     cur passes   prev passes   the watcher gets
 *     yes          no / none     ADDED    cur
 *     yes          yes           MODIFIED cur
 *     no / none    yes           DELETED  prev, with resourceVersion = this event's revision
 *     no / none    no / none     nothing
 *
 * so a pod whose label stops matching leaves a watcher's view with DELETED, and one that starts
 * matching enters it with ADDED. A watcher without filter always gets `natural`.
 */
export class CacheEvent {
  private naturalItem: WatchItem | undefined = undefined;
  private addedItem: WatchItem | undefined = undefined;
  private deletedItem: WatchItem | undefined = undefined;

  constructor(
    readonly revision: number,
    readonly key: string,
    readonly cur: Entry | undefined,
    readonly prev: Entry | undefined,
  ) {}

  /**
   * The event as it happened: ADDED, MODIFIED or DELETED. Items are built on first use: a
   * resource nobody watches never builds one.
   */
  get natural(): WatchItem {
    let item = this.naturalItem;
    if (item === undefined) {
      if (this.cur === undefined) item = this.deleted;
      else item = new WatchItem(this.prev === undefined ? 'ADDED' : 'MODIFIED', this.revision, this.cur);
      this.naturalItem = item;
    }
    return item;
  }

  /** ADDED of `cur` (a MODIFIED that enters a watcher's selection). */
  get added(): WatchItem {
    if (this.prev === undefined) return this.natural;
    if (this.addedItem === undefined) {
      if (this.cur === undefined) throw new Error(`invariant: no object after event ${this.revision}`);
      this.addedItem = new WatchItem('ADDED', this.revision, this.cur);
    }
    return this.addedItem;
  }

  /** DELETED of `prev` at this revision (a delete, or a MODIFIED that leaves the selection). */
  get deleted(): WatchItem {
    if (this.deletedItem === undefined) {
      if (this.prev === undefined) throw new Error(`invariant: no object before event ${this.revision}`);
      this.deletedItem = new WatchItem(
        'DELETED',
        this.revision,
        new Encodable<KubeObject>(stampRevision(this.prev.object, this.revision)),
      );
    }
    return this.deletedItem;
  }
}

/**
 * A deeply frozen copy of `object` with metadata.resourceVersion = String(revision). Top level
 * and metadata are new; everything else is shared with `object` (and frozen in place: values
 * handed to the cache belong to it).
 */
export function stampRevision(object: KubeObject, revision: number): KubeObject {
  // The store hands out deeply frozen values; anything else is frozen in place first. Then only
  // the two new objects need freezing: all they share with `object` is frozen already.
  if (!Object.isFrozen(object) || !Object.isFrozen(object.metadata)) deepFreeze(object);
  const metadata = Object.freeze({ ...object.metadata, resourceVersion: String(revision) });
  return Object.freeze({ ...object, metadata });
}

/** Freezes `value` and everything under it; subtrees already frozen are trusted and skipped. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i] as unknown);
  } else {
    const record = value as Record<string, unknown>;
    for (const k in record) deepFreeze(record[k]);
  }
  return value;
}
