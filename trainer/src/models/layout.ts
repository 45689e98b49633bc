/**
 * Parameter layouts: every network's parameters live in one flat Float32Array (shared memory, see
 * runtime/shared-memory.ts), described by a table name → offset, shape.
 */
export type ParamEntry = {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
};

export type ParamLayout = {
  readonly entries: readonly ParamEntry[];
  readonly totalSize: number;
};

export function makeLayout(params: readonly { name: string; shape: readonly number[] }[]): ParamLayout {
  let offset = 0;
  const entries = params.map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const entry = { name, shape: [...shape], offset, size };
    offset += size;
    return entry;
  });
  return { entries, totalSize: offset };
}

export function entry(layout: ParamLayout, name: string): ParamEntry {
  const found = layout.entries.find((e) => e.name === name);
  if (!found) throw new Error(`parameter "${name}" is not in the layout (${layout.entries.map((e) => e.name).join(', ')})`);
  return found;
}

export function view(flat: Float32Array, e: ParamEntry): Float32Array {
  return flat.subarray(e.offset, e.offset + e.size);
}
