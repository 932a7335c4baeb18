/** A table of u32 records in a storage buffer, declared once: the WGSL struct (read as
 *  `array<Name>`) and the host-side packing come from the same field list. Grouped kernels
 *  read one record per problem (a model's part of a dispatch). */
export interface TableDef<K extends string> {
  readonly name: string;
  readonly wgsl: string;
  /** u32 words per record (the array stride is 4 × words bytes). */
  readonly words: number;
  readonly fields: readonly K[];
  /** Packs records in order. */
  pack(records: Record<K, number>[]): Uint32Array<ArrayBuffer>;
}

export function defineTable<K extends string>(name: string, fields: readonly K[]): TableDef<K> {
  const wgsl = `struct ${name} {\n${fields.map((f) => `  ${f}: u32,`).join('\n')}\n}`;
  return {
    name,
    wgsl,
    words: fields.length,
    fields,
    pack(records) {
      const out = new Uint32Array(Math.max(1, records.length) * fields.length);
      records.forEach((r, i) => fields.forEach((f, j) => {
        const value = r[f];
        if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${name}.${f} = ${value} is not a u32`);
        out[i * fields.length + j] = value;
      }));
      return out;
    },
  };
}

/** WGSL: the record whose `start` is the last one ≤ id, by binary search over `count`
 *  records sorted by start (the prefix sums of each problem's workgroups). */
export function findRecordWgsl(table: string, count: string, start = 'start'): string {
  return /* wgsl */ `
fn findRecord(id: u32) -> u32 {
  var lo = 0u;
  var hi = ${count} - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (${table}[mid].${start} <= id) { lo = mid; } else { hi = mid - 1u; }
  }
  return lo;
}`;
}

/** f32 fields of a table are stored as their bit patterns. */
export const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];
