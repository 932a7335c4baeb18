/** A canvas in a `.chart` box appended to `host`: where each section's chart.js plot goes. */
export function chartCanvas(host: HTMLElement): HTMLCanvasElement {
  const box = document.createElement('div');
  box.className = 'chart';
  const canvas = document.createElement('canvas');
  box.append(canvas);
  host.append(box);
  return canvas;
}
