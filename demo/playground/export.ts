// The playground's export: the trained GI model as an ONNX file (savedToOnnx on the group's
// saved form, model 1), offered as a download once a run has finished.
import { savedToOnnx, type MlpGroupJson } from '../../src/index';

export class OnnxDownload {
  readonly button: HTMLButtonElement;
  readonly note: HTMLElement;
  #saved: MlpGroupJson | null = null;

  constructor(results: HTMLElement) {
    const bar = document.createElement('div');
    bar.className = 'buttons export-bar';
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'secondary';
    this.button.textContent = 'Download ONNX (GI model)';
    this.button.disabled = true;
    this.note = document.createElement('p');
    this.note.className = 'hint';
    this.note.textContent = 'After a run: the GI model as an ONNX file (input x [N, d], output y [N, 1]) for onnxruntime and other ONNX tools.';
    bar.append(this.button);
    results.querySelector('#verdict')!.after(bar, this.note);
    this.button.addEventListener('click', () => this.download());
  }

  /** A finished run's group (model 1 is the GI model). */
  offer(saved: MlpGroupJson): void {
    this.#saved = saved;
    this.button.disabled = false;
  }

  clear(): void {
    this.#saved = null;
    this.button.disabled = true;
  }

  download(): void {
    if (!this.#saved) return;
    const bytes = savedToOnnx(this.#saved, {}, 1);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `sobolev-gi-${this.#saved.inputs}d.onnx`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    this.note.textContent = `Saved ${a.download} (${bytes.length} bytes): input x [N, ${this.#saved.inputs}], output y [N, 1], opset 17.`;
  }
}
