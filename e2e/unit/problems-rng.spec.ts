import { test, expect } from '@playwright/test';
import { Rng } from '../../src/util/rng';
import { meanSd } from '../../src/util/stats';

const moments = meanSd;

function min(xs: number[]): number { return xs.reduce((a, b) => Math.min(a, b), Infinity); }
function max(xs: number[]): number { return xs.reduce((a, b) => Math.max(a, b), -Infinity); }

function draw(n: number, f: () => number): number[] {
  return Array.from({ length: n }, f);
}

test.describe('Rng', () => {
  test('same seed gives the same stream; different seeds differ', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const sa = draw(50, () => a.uint32()).concat(draw(20, () => a.normal()), draw(20, () => a.gamma(0.5, 1.5)));
    const sb = draw(50, () => b.uint32()).concat(draw(20, () => b.normal()), draw(20, () => b.gamma(0.5, 1.5)));
    expect(sa).toEqual(sb);
    for (const other of [8, 7.5, 7 + 2 ** 40, -7]) {
      const c = new Rng(other);
      expect(draw(50, () => c.uint32()), `seed ${other}`).not.toEqual(sa.slice(0, 50));
    }
  });

  test('fork: deterministic, independent of prior draws, distinct per label', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    for (let i = 0; i < 17; i++) b.uniform();
    const fa = a.fork('train');
    const fb = b.fork('train');
    const first = draw(20, () => fa.uint32());
    expect(draw(20, () => fb.uint32())).toEqual(first);
    const other = new Rng(3).fork('test');
    expect(draw(20, () => other.uint32())).not.toEqual(first);
    const parent = new Rng(3);
    expect(draw(20, () => parent.uint32())).not.toEqual(first);
    const nested = new Rng(3).fork('train').fork(1);
    expect(draw(20, () => nested.uint32())).not.toEqual(first);
  });

  test('uniform: range and moments', () => {
    const r = new Rng(11);
    const xs = draw(100_000, () => r.uniform());
    expect(min(xs)).toBeGreaterThanOrEqual(0);
    expect(max(xs)).toBeLessThan(1);
    const m = moments(xs);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(m.sd - Math.sqrt(1 / 12))).toBeLessThan(0.003);
    const ys = draw(10_000, () => r.uniform(-2, 5));
    expect(min(ys)).toBeGreaterThanOrEqual(-2);
    expect(max(ys)).toBeLessThan(5);
    expect(Math.abs(moments(ys).mean - 1.5)).toBeLessThan(0.1);
  });

  test('normal: mean and sd', () => {
    const r = new Rng(12);
    const std = moments(draw(200_000, () => r.normal()));
    expect(Math.abs(std.mean)).toBeLessThan(0.01); // SE 0.0022
    expect(Math.abs(std.sd - 1)).toBeLessThan(0.01);
    const shifted = moments(draw(200_000, () => r.normal(0.1, 3)));
    expect(Math.abs(shifted.mean - 0.1)).toBeLessThan(0.03); // SE 0.0067
    expect(Math.abs(shifted.sd - 3)).toBeLessThan(0.03);
  });

  test('gamma: mean = shape·scale, variance = shape·scale², positive', () => {
    const r = new Rng(13);
    for (const [shape, scale] of [[0.5, 1.5], [1, 1], [3.7, 0.4], [0.2, 2]]) {
      const xs = draw(100_000, () => r.gamma(shape, scale));
      expect(min(xs)).toBeGreaterThan(0);
      const m = moments(xs);
      const label = `Gamma(${shape}, ${scale})`;
      expect(Math.abs(m.mean / (shape * scale) - 1), label).toBeLessThan(0.035);
      expect(Math.abs((m.sd * m.sd) / (shape * scale * scale) - 1), label).toBeLessThan(0.1);
    }
    expect(() => r.gamma(0, 1)).toThrow(/shape/);
  });

  test('int: range and near-uniform counts', () => {
    const r = new Rng(14);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // SE ≈ 95
    expect(() => r.int(0)).toThrow();
    expect(() => r.int(2.5)).toThrow();
  });

  test('shuffle: a deterministic permutation', () => {
    const a = new Rng(15).shuffle(Array.from({ length: 100 }, (_, i) => i));
    const b = new Rng(15).shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect(a).toEqual(b);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const typed = new Rng(15).shuffle(Float32Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(typed)).toEqual(a);
  });

  test('sampleIndices: distinct, in range, fresh per draw', () => {
    const r = new Rng(16);
    const s = r.sampleIndices(1000, 300);
    expect(s.length).toBe(300);
    expect(new Set(s).size).toBe(300);
    expect(max(Array.from(s))).toBeLessThan(1000);
    const s2 = r.sampleIndices(1000, 300);
    expect(Array.from(s2)).not.toEqual(Array.from(s));
    const all = r.sampleIndices(50, 50);
    expect([...all].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(r.sampleIndices(5, 0).length).toBe(0);
    expect(() => r.sampleIndices(10, 11)).toThrow(/distinct/);
  });
});
