// What each section of the report tests: the paper's claim in words, the definitions a
// reader needs (w, η, UB, η₁…η₄, λ, k), and what the quick preset leaves out. Words only:
// the published numbers and the verdicts come from src/experiments/paper.ts.

export interface SectionClaims {
  /** The claims of the paper the section tests. */
  claims: string[];
  definitions: [term: string, meaning: string][];
  /** Said on the page when the preset is `quick`. */
  quickCaveat: string;
}

export const CLAIMS: Record<string, SectionClaims> = {
  nn: {
    claims: [
      'Idea 1: a network trained on values and input-derivatives (GI, w = 0.5) has a lower test error than the same network trained on values only (w = 0), most of all with few training points.',
      'Idea 2: the gap between the two tunes the width. Where GI stops helping (its advantage vanishes or turns negative) bounds the width a network needs: the width with the best baseline error lies at or below the bound UB, so a width search can stop at UB.',
    ],
    definitions: [
      ['w', 'gradient weight: loss = (1 − w)·MSE(values) + w·MSE(derivatives); baseline w = 0, GI w = 0.5'],
      ['η', 'width parameter: every hidden layer has 4·η units'],
      ['ΔRMSE(η), Δcorr(η)', 'RMSE_baseline − RMSE_GI and corr_GI − corr_baseline, averaged over repeats (positive: GI better)'],
      ['η₁, η₂', 'the η with the smallest |Δcorr| and the smallest |ΔRMSE|'],
      ['η₃, η₄', 'the first η where Δcorr < 0 and where ΔRMSE < 0 (only when GI turns worse somewhere)'],
      ['UB', 'max(η₁, η₂, η₃, η₄): the GI complexity bound'],
      ['best η', 'the η with the lowest mean baseline test RMSE; the claim is best η ≤ UB'],
    ],
    quickCaveat:
      'The quick preset trains a fraction of the paper\'s epochs, on three widths, with 2 repeats and fewer time steps: the networks are far from converged and the error still falls with width, so its bound checks the pipeline, not the paper\'s claim. Run the paper preset (on a GPU) to test the claim.',
  },
  linear: {
    claims: [
      'Idea 1: least squares on values and derivatives (GI least squares) fits better than on values alone.',
      'Idea 3: gradient information regularises: ridge-gradient, which pulls the coefficients towards those fitted to the derivatives, beats plain ridge regression, most of all at small N, and is at least as good at every N.',
    ],
    definitions: [
      ['Φ(x), Φ′(x)', '7 Gaussian RBFs exp(−(x − c_k)²) and a constant, and their exact derivatives'],
      ['ridge', 'β = (ΦᵀΦ + λI)⁻¹Φᵀy, λ chosen on a 50-point validation set'],
      ['GI least squares', 'minimises ‖y − Φβ‖² + γ‖y′ − Φ′β‖², γ chosen on the validation set'],
      ['β_grad', 'a ridge fit of the derivatives alone: (Φ′ᵀΦ′ + λ_g I)⁻¹Φ′ᵀy′'],
      ['ridge-gradient', 'minimises ‖y − Φβ‖² + λ₁‖β‖² + λ₂‖β − β_grad‖²; 2-D: λ₁, λ₂ on a grid; 1-D (the authors\'): λ₁ = λ₂'],
      ['paired gain', 'ridge − ridge-gradient test RMSE on the same dataset, mean ± standard error over datasets (positive: ridge-gradient better)'],
    ],
    quickCaveat: 'The quick preset fits 30 datasets per N (the paper: 50) on a 51-value λ grid (the paper: 100); the standard errors are wider.',
  },
  generative: {
    claims: [
      'Idea 4: a generative model (here a conditional generator θ → image) trained with gradient information — projected JVP losses, k random θ-directions per sample — has a lower test pixel error than one trained on images alone, without ever forming the full Jacobian ∂image/∂θ.',
    ],
    definitions: [
      ['θ', '6 generating factors of a soft anisotropic Gaussian blob: position (2), size, aspect, angle, intensity'],
      ['w', 'gradient weight of the GI model (0.5); the baseline has w = 0'],
      ['k', 'random unit directions v in θ-space per sample and epoch; the GI loss matches J·v from the renderer'],
      ['N_train', 'training images (each with its θ)'],
    ],
    quickCaveat: 'The quick preset runs 16×16 images only, N_train ∈ {25, 100}, 1 repeat and 500 steps; the paper preset adds 28×28, five N and 3 repeats.',
  },
};

/** The claim, definitions and (for the quick preset) caveat of a section, as elements. */
export function claimsBlock(id: string, preset: string | undefined): HTMLElement {
  const c = CLAIMS[id];
  const box = document.createElement('div');
  if (!c) return box;
  const claim = document.createElement('div');
  claim.className = 'claim';
  claim.innerHTML = '<h3>The paper\'s claim</h3>';
  for (const text of c.claims) claim.append(Object.assign(document.createElement('p'), { textContent: text }));
  const details = document.createElement('details');
  details.innerHTML = '<summary>Definitions</summary>';
  const dl = document.createElement('dl');
  dl.className = 'defs';
  for (const [term, meaning] of c.definitions) {
    dl.append(Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: meaning }));
  }
  details.open = true;
  details.append(dl);
  box.append(claim, details);
  if (preset === 'quick') {
    const caveat = document.createElement('p');
    caveat.className = 'caveat';
    caveat.innerHTML = '<strong>Quick preset.</strong> ';
    caveat.append(c.quickCaveat);
    box.append(caveat);
  }
  return box;
}
