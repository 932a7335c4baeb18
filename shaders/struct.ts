/** A uniform struct of 4-byte scalars, declared once: the WGSL text and the byte packing
 *  both come from the same field list, so no byte offset is written by hand. */
export type ScalarType = 'u32' | 'f32' | 'i32';

export interface StructDef<K extends string> {
  readonly name: string;
  /** WGSL declaration, e.g. `struct GemmDims { M: u32, ... }`. */
  readonly wgsl: string;
  /** Size in bytes, padded to 16 as uniform buffers require. */
  readonly size: number;
  /** Writes the values at `byteOffset` of `target`. */
  write(target: ArrayBuffer, byteOffset: number, values: Record<K, number>): void;
  /** A fresh ArrayBuffer holding the values. */
  pack(values: Record<K, number>): ArrayBuffer;
}

export function defineStruct<K extends string>(name: string, fields: Record<K, ScalarType>): StructDef<K> {
  const entries = Object.entries(fields) as [K, ScalarType][];
  const size = Math.max(16, Math.ceil((entries.length * 4) / 16) * 16);
  const wgsl = `struct ${name} {\n${entries.map(([k, t]) => `  ${k}: ${t},`).join('\n')}\n}`;
  const write = (target: ArrayBuffer, byteOffset: number, values: Record<K, number>): void => {
    const view = new DataView(target, byteOffset, size);
    entries.forEach(([key, type], i) => {
      const value = values[key];
      if (type === 'f32') view.setFloat32(i * 4, value, true);
      else if (type === 'i32') view.setInt32(i * 4, value, true);
      else view.setUint32(i * 4, value, true);
    });
  };
  return {
    name,
    wgsl,
    size,
    write,
    pack(values) {
      const buffer = new ArrayBuffer(size);
      write(buffer, 0, values);
      return buffer;
    },
  };
}
