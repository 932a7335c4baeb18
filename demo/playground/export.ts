// The playground's export: a trained GI model as an ONNX file (savedToOnnx on a group's saved
// form, model 1), offered as a download once a run has finished. The formula playground and
// the "Your data" panel each have one.
import { savedToOnnx, type MlpGroupJson } from '../../src/index';

export interface OnnxDownloadOptions {
  /** The button's text and tooltip, the note under it, the file name's stem, the bar's class. */
  label?: string;
  title?: string;
  note?: string;
  stem?: string;
  barClass?: string;
}

export class OnnxDownload {
  readonly button: HTMLButtonElement;
  readonly note: HTMLElement;
  #saved: MlpGroupJson | null = null;
  #stem: string;

  /** The bar and its note, placed after `anchor`. */
  constructor(anchor: Element, o: OnnxDownloadOptions = {}) {
    const bar = document.createElement('div');
    bar.className = `buttons ${o.barClass ?? 'export-bar'}`;
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'secondary';
    this.button.textContent = o.label ?? 'Download ONNX (GI model)';
    if (o.title) this.button.title = o.title;
    this.button.disabled = true;
    this.note = document.createElement('p');
    this.note.className = 'hint';
    this.note.textContent = o.note ?? 'After a run: the GI model as an ONNX file (input x [N, d], output y [N, 1]) for onnxruntime and other ONNX tools.';
    this.#stem = o.stem ?? 'sobolev-gi';
    bar.append(this.button);
    anchor.after(bar, this.note);
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
    a.download = `${this.#stem}-${this.#saved.inputs}d.onnx`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    this.note.textContent = `Saved ${a.download} (${bytes.length} bytes): input x [N, ${this.#saved.inputs}], output y [N, 1], opset 17.`;
  }
}
