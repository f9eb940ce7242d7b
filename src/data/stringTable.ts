/**
 * Strings → dense codes (in order of first insertion) in typed arrays: FNV-1a over UTF-16 code units, open
 * addressing. For dictionaries of hundreds of thousands of ids (sample_id), where a Map<string, number> costs
 * a hash-table entry object per string and most of the time in the garbage collector.
 */
import { release } from '../core/release.ts';

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class StringTable {
  /** The distinct strings, by code. */
  readonly values: string[] = [];
  private hashes = new Uint32Array(16);
  private slots = new Int32Array(32).fill(-1);

  constructor(expected = 0) {
    if (expected > 0) this.resize(expected);
  }

  /** Code of `value`, or -1. */
  get(value: string): number {
    return this.find(value, stringHash(value)).code;
  }

  /** Code of `value`, added with the next code if new. */
  add(value: string): number {
    const h = stringHash(value);
    const { code, slot } = this.find(value, h);
    if (code >= 0) return code;
    const added = this.values.length;
    this.values.push(value);
    if (added >= this.hashes.length) {
      const bigger = new Uint32Array(this.hashes.length * 2);
      bigger.set(this.hashes);
      this.hashes = bigger;
    }
    this.hashes[added] = h;
    this.slots[slot] = added;
    if (this.values.length * 2 > this.slots.length) this.resize(this.values.length);
    return added;
  }

  /** Frees the table's arrays now: it is empty afterwards (and may be filled again). */
  clear(): void {
    release(this.hashes, this.slots);
    this.values.length = 0;
    this.hashes = new Uint32Array(16);
    this.slots = new Int32Array(32).fill(-1);
  }

  private find(value: string, h: number): { code: number; slot: number } {
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const code = this.slots[slot];
      if (code === -1) return { code: -1, slot };
      if (this.hashes[code] === h && this.values[code] === value) return { code, slot };
      slot = (slot + 1) & mask;
    }
  }

  /** Room for `count` strings at most half full. */
  private resize(count: number): void {
    let size = 32;
    while (size < count * 2 + 2) size <<= 1;
    if (size <= this.slots.length && count > 0 && this.slots.length >= count * 2 + 2) return;
    const slots = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let code = 0; code < this.values.length; code++) {
      let slot = this.hashes[code] & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = code;
    }
    this.slots = slots;
    if (this.hashes.length < count) {
      const bigger = new Uint32Array(count);
      bigger.set(this.hashes.subarray(0, this.values.length));
      this.hashes = bigger;
    }
  }
}
