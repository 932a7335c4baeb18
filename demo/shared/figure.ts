// An accessible chart box: a <figure> whose canvas has role="img" and an aria-label, with a
// text summary of what the chart shows (the numbers a screen reader, or a reader of a
// screenshot, needs) in its <figcaption>.

export interface ChartFigure {
  figure: HTMLElement;
  canvas: HTMLCanvasElement;
  /** Replaces the label and the text summary. */
  describe(label: string, summary: string): void;
}

/** Appends a figure with a chart canvas (in a `.chart` box of fixed height) to `host`. */
export function chartFigure(host: HTMLElement, label: string, summary = ''): ChartFigure {
  const figure = document.createElement('figure');
  figure.className = 'chart-figure';
  const box = document.createElement('div');
  box.className = 'chart';
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  const caption = document.createElement('figcaption');
  caption.className = 'chart-summary';
  box.append(canvas);
  figure.append(box, caption);
  host.append(figure);
  const describe = (l: string, s: string) => {
    canvas.setAttribute('aria-label', s ? `${l}. ${s}` : l);
    caption.textContent = s;
  };
  describe(label, summary);
  return { figure, canvas, describe };
}

/** A number for a summary: 4 significant digits. */
export const num = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : 'n/a');
