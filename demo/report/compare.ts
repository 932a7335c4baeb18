// Our numbers beside the published ones, as page elements: the computed caveat, the claim
// verdicts and the comparison tables of src/experiments/paper.ts (which owns the published
// numbers and the verdict rules; nothing here repeats them).
import { describeBound, type ClaimVerdict, type PaperComparison } from '../../src/experiments/paper';
import { htmlTable } from '../sections/nn-report';

const f = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : 'NaN');
const sgn = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v).toPrecision(2)}` : 'NaN');
const pc = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} %` : 'NaN');

/** A list of verdicts: a word and an icon for each (never colour alone), the claim, the detail. */
export function verdictList(verdicts: ClaimVerdict[], heading = 'Verdicts, computed from the numbers below'): HTMLElement {
  const box = document.createElement('div');
  box.className = 'verdicts';
  box.append(Object.assign(document.createElement('h3'), { textContent: heading }));
  const ul = document.createElement('ul');
  for (const v of verdicts) {
    const li = document.createElement('li');
    const mark = document.createElement('span');
    mark.className = v.holds === true ? 'verdict-pass' : v.holds === false ? 'verdict-fail' : 'verdict-partial';
    mark.textContent = v.holds === true ? '✔ holds' : v.holds === false ? '✘ does not hold' : '? undecided';
    const claim = document.createElement('strong');
    claim.textContent = v.claim;
    li.append(mark, ' — ', claim, `: ${v.detail}`);
    ul.append(li);
  }
  box.append(ul);
  return box;
}

/** The caveat paragraph (null caveat: nothing). */
export function caveatBox(text: string | null): HTMLElement | null {
  if (!text) return null;
  const p = document.createElement('p');
  p.className = 'caveat';
  p.innerHTML = '<strong>Caveat.</strong> ';
  p.append(text);
  return p;
}

/** The NN rows: ours / published / difference per (problem, N), and toy2d per η. */
export function nnComparisonTables(c: PaperComparison): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (c.nn.length) {
    const t = htmlTable(
      'Ours beside the paper: best test RMSE over η (the η in brackets), GI gain, widths where GI wins, best η / UB',
      ['problem, N', 'best baseline: ours', 'paper', 'diff', 'best GI: ours', 'paper', 'diff', 'GI gain: ours / paper', 'GI wins: ours / paper', 'best η / UB: ours / paper', 'how our UB was set'],
      c.nn.map((r) => [
        `${r.problem}, ${r.nTrain}`,
        `${f(r.ours.baseline.rmse)} (${r.ours.baseline.eta})`, `${r.published.baseline.rmse} (${r.published.baseline.eta})`, sgn(r.difference.baselineRmse),
        `${f(r.ours.gi.rmse)} (${r.ours.gi.eta})`, `${r.published.gi.rmse} (${r.published.gi.eta})`, sgn(r.difference.giRmse),
        `${pc(r.ours.gainPercent)} / ${r.published.gainPercent} %`,
        `${r.ours.wins}/${r.ours.total} / ${r.published.wins}/${r.published.total}`,
        `${r.ours.bound.bestEta}/${r.ours.bound.ub} / ${r.published.bound.bestEta}/${r.published.bound.ub}`,
        describeBound(r.ours.bound) + (r.ours.diverged ? `; ${r.ours.diverged} diverged runs` : ''),
      ]),
    );
    t.querySelector('table')!.classList.add('text-last');
    out.push(t);
  }
  if (c.toy2dPerEta.length) {
    out.push(htmlTable(
      'toy2d, N = 50, per η that both ran: mean test RMSE, ours / paper / difference',
      ['η', 'baseline: ours', 'paper', 'diff', 'GI: ours', 'paper', 'diff'],
      c.toy2dPerEta.map((r) => [String(r.eta), f(r.ours.baseline), String(r.published.baseline), sgn(r.difference.baseline), f(r.ours.gi), String(r.published.gi), sgn(r.difference.gi)]),
    ));
  }
  return out;
}

/** The linear rows: ridge and 1-D ridge-gradient, ours (± SE) / published (read from the figure). */
export function linearComparisonTable(c: PaperComparison): HTMLElement | null {
  if (!c.linear.length) return null;
  return htmlTable(
    'Ours beside the paper (1-D ridge-gradient, the authors\' variant; their numbers read from a figure, approximate): mean test RMSE',
    ['N', 'ridge: ours ± SE', 'paper', 'ridge-gradient: ours ± SE', 'paper', 'paired gain (ours)', 'gain: ours / paper'],
    c.linear.map((r) => [
      String(r.nTrain),
      `${f(r.ours.ridge.mean)} ± ${f(r.ours.ridge.se)}`, String(r.published.ridge),
      `${f(r.ours.ridgeGradient1d.mean)} ± ${f(r.ours.ridgeGradient1d.se)}`, String(r.published.ridgeGradient1d),
      `${r.ours.pairedGain.mean.toFixed(4)} ± ${r.ours.pairedGain.se.toFixed(4)}`,
      `${pc(r.ours.gainPercent)} / ${pc(r.published.gainPercent)}`,
    ]),
  );
}

/** The deliberate protocol fixes, one line. */
export function protocolFixes(c: PaperComparison): HTMLElement {
  const p = document.createElement('p');
  p.className = 'hint';
  p.textContent = `Deliberate differences from the authors' protocol: ${c.protocolFixes.join('; ')}.`;
  return p;
}
