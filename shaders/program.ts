import type { StructDef } from './struct';

/** How a program binds one resource. */
export type BindingKind = 'read' | 'rw' | 'uniform' | 'uniform-dynamic';

/** One resource of a program's bind group 0, declared once: the WGSL declaration, the
 *  bind-group layout entry and the key a dispatch names its resource by all come from it. */
export interface Binding {
  /** The WGSL variable, and the key of the resource in a dispatch. */
  name: string;
  kind: BindingKind;
  /** WGSL type of a storage binding ('array<f32>', …) or the struct of a uniform one. */
  type: string | StructDef<string>;
  /** What it holds (a comment above the declaration). */
  doc: string;
}

/**
 * A GPU program as data. Its pipeline cache key is `name|key(variant)` and holds every
 * compile-time fact (structural flags and override constants); shapes go in the `dims`
 * uniform. The `dims` binding is filled by the dispatch planner, never by the caller.
 */
export interface Program<V> {
  /** Unique among programs (checked by the cache). */
  readonly name: string;
  /** The compile-time facts of a variant, as a string. */
  key(variant: V): string;
  /** Bindings of group 0, in binding order. */
  bindings(variant: V): Binding[];
  /** The uniform struct bound as `dims`, if any. */
  readonly dims?: StructDef<string>;
  /** WGSL after the generated declarations (structs and bindings). */
  body(variant: V): string;
  /** WGSL override constants of a variant. */
  constants?(variant: V): Record<string, number>;
  /** Workgroups for a variant and its dims. */
  workgroups(variant: V, dims: Record<string, number>): Workgroups;
}

export type Workgroups = [number, number] | [number, number, number];

/** The final WGSL of a program variant: uniform structs, binding declarations, body. */
export function programWgsl<V>(program: Program<V>, variant: V): string {
  const structs = new Map<string, string>();
  const declarations = program.bindings(variant).map((b, i) => {
    const type = typeof b.type === 'string' ? b.type : b.type.name;
    if (typeof b.type !== 'string') structs.set(b.type.name, b.type.wgsl);
    const space = b.kind === 'read' ? 'storage, read' : b.kind === 'rw' ? 'storage, read_write' : 'uniform';
    return `// ${b.doc}\n@group(0) @binding(${i}) var<${space}> ${b.name}: ${type};`;
  });
  return [...structs.values(), ...declarations, program.body(variant)].join('\n');
}

/** Shorthand for a binding. */
export const bind = (name: string, kind: BindingKind, type: Binding['type'], doc: string): Binding => ({ name, kind, type, doc });
