import { refActivations, type RefActivation } from './activations';
import { addMatmulTransA, map, matmulTransB, sumRows } from './linalg';
import type { RefMlp, Trace } from './trace';

/** Parameter gradients, same shapes as the MLP's weights and biases. */
export interface RefGradients {
  weights: Float64Array[];
  biases: Float64Array[];
}

/**
 * Backward through one activation (elementwise over a layer's n × width entries):
 *   ż̄ = σ'(z) ⊙ ǡ,   z̄ = σ'(z) ⊙ ā + Σ_k σ''(z) ⊙ ż⁽ᵏ⁾ ⊙ ǡ⁽ᵏ⁾.
 */
export function activationBackward(
  s: RefActivation,
  z: Float64Array,
  zDot: Float64Array[],
  aBar: Float64Array,
  aDotBar: Float64Array[],
): { zBar: Float64Array; zDotBar: Float64Array[] } {
  const zDotBar = aDotBar.map((adb) => map(adb, (v, i) => s.d1(z[i]) * v));
  const zBar = map(aBar, (v, i) => s.d1(z[i]) * v);
  zDot.forEach((zd, j) => {
    for (let i = 0; i < zBar.length; i++) zBar[i] += s.d2(z[i]) * zd[i] * aDotBar[j][i];
  });
  return { zBar, zDotBar };
}

/**
 * Reverse pass through a traced forward pass, given the seeds ā_L (n×outputs) and ǡ_L
 * (one n×outputs block per tangent direction). Per layer, from L down to 1:
 *   ż̄ = σ'(z) ⊙ ǡ
 *   z̄ = σ'(z) ⊙ ā + Σ_k σ''(z) ⊙ ż⁽ᵏ⁾ ⊙ ǡ⁽ᵏ⁾      (the σ'' coupling term)
 *   W̄ = a_{l-1}ᵀ z̄ + Σ_k ȧ_{l-1}⁽ᵏ⁾ᵀ ż̄⁽ᵏ⁾,  b̄ = Σ_rows z̄
 *   ā_{l-1} = z̄ Wᵀ,  ǡ_{l-1} = ż̄ Wᵀ
 */
export function backward(m: RefMlp, trace: Trace, aBarL: Float64Array, aDotBarL: Float64Array[]): RefGradients {
  const { n, layers } = trace;
  const L = m.sizes.length - 1;
  const weights: Float64Array[] = new Array(L);
  const biases: Float64Array[] = new Array(L);
  let aBar = aBarL;
  let aDotBar = aDotBarL;
  for (let l = L; l >= 1; l--) {
    const s = refActivations[m.activations[l - 1]];
    const { z, zDot } = layers[l];
    const prev = layers[l - 1];
    const fanIn = m.sizes[l - 1];
    const fanOut = m.sizes[l];
    const w = m.weights[l - 1];

    const { zBar, zDotBar } = activationBackward(s, z, zDot, aBar, aDotBar);

    const wBar = new Float64Array(fanIn * fanOut);
    addMatmulTransA(wBar, prev.a, zBar, n, fanIn, fanOut);
    prev.aDot.forEach((ad, j) => addMatmulTransA(wBar, ad, zDotBar[j], n, fanIn, fanOut));
    weights[l - 1] = wBar;
    biases[l - 1] = sumRows(zBar, n, fanOut);

    aBar = matmulTransB(zBar, w, n, fanOut, fanIn);
    aDotBar = zDotBar.map((zdb) => matmulTransB(zdb, w, n, fanOut, fanIn));
  }
  return { weights, biases };
}
