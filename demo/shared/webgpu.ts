// Why a page has no WebGPU, told apart, with the fix for each case: not a secure context
// (navigator.gpu is hidden on plain http other than localhost), no navigator.gpu (a browser
// without WebGPU, or with it switched off), or no adapter (WebGPU present but no usable GPU).
import { NoAdapterError, WebGpuUnsupportedError } from '../../src/index';

export type WebGpuProblemKind = 'insecure-context' | 'no-navigator-gpu' | 'no-adapter' | 'error';

export interface WebGpuProblem {
  kind: WebGpuProblemKind;
  title: string;
  detail: string;
  fixes: string[];
}

const PROBLEMS: Record<Exclude<WebGpuProblemKind, 'error'>, Omit<WebGpuProblem, 'kind'>> = {
  'insecure-context': {
    title: 'This page is not a secure context, so the browser hides WebGPU',
    detail: 'WebGPU (navigator.gpu) exists only on https:// pages and on http://localhost or http://127.0.0.1.',
    fixes: [
      'Open the page at http://localhost:<port>/ or http://127.0.0.1:<port>/ (npm run dev serves 127.0.0.1), or serve it over https.',
      'For a server on another machine, tunnel it to localhost (ssh -L 5173:127.0.0.1:5173 host) rather than opening its LAN address.',
    ],
  },
  'no-navigator-gpu': {
    title: 'This browser has no WebGPU (navigator.gpu is missing)',
    detail: 'The page is a secure context, but the browser does not expose WebGPU.',
    fixes: [
      'Use Chrome or Edge 113 or newer (or another recent Chromium); Firefox and Safari need WebGPU switched on in their settings.',
      'In Chromium on Linux, or where WebGPU is blocklisted, start the browser with --enable-unsafe-webgpu (and --enable-features=Vulkan), or set chrome://flags/#enable-unsafe-webgpu.',
      'Check chrome://gpu: "WebGPU: Hardware accelerated" means it should work.',
    ],
  },
  'no-adapter': {
    title: 'WebGPU is present but found no GPU adapter',
    detail: 'navigator.gpu.requestAdapter() returned null: no usable GPU, a blocklisted driver, or hardware acceleration switched off.',
    fixes: [
      'Open chrome://gpu and look at the WebGPU line and the problems it lists.',
      'Switch on "Use graphics acceleration when available" in the browser settings and update the GPU driver.',
      'On a machine without a GPU, start Chromium with --enable-unsafe-webgpu to get the software (SwiftShader) adapter — correct but slow.',
    ],
  },
};

/** The problem for a kind; `error` wraps any other failure. */
export function webGpuProblem(kind: WebGpuProblemKind, error?: unknown): WebGpuProblem {
  if (kind === 'error') {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { kind, title: 'WebGPU failed to start', detail: message, fixes: ['Reload the page; if it persists, check chrome://gpu and the browser console.'] };
  }
  return { kind, ...PROBLEMS[kind] };
}

/** Classifies an error of createContext (WebGpuUnsupportedError, NoAdapterError, other). */
export function problemFromError(error: unknown): WebGpuProblem {
  if (error instanceof WebGpuUnsupportedError) return webGpuProblem(globalThis.isSecureContext === false ? 'insecure-context' : 'no-navigator-gpu');
  if (error instanceof NoAdapterError) return webGpuProblem('no-adapter');
  return webGpuProblem('error', error);
}

/** An adapter and its one-line description, or the problem that stops WebGPU here. */
export async function probeWebGpu(): Promise<{ ok: true; adapter: GPUAdapter; description: string } | { ok: false; problem: WebGpuProblem }> {
  if (globalThis.isSecureContext === false) return { ok: false, problem: webGpuProblem('insecure-context') };
  if (!('gpu' in navigator) || !navigator.gpu) return { ok: false, problem: webGpuProblem('no-navigator-gpu') };
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { ok: false, problem: webGpuProblem('no-adapter') };
    const i = adapter.info;
    return { ok: true, adapter, description: [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter' };
  } catch (e) {
    return { ok: false, problem: webGpuProblem('error', e) };
  }
}

/** A notice (role="alert") that says what is wrong and how to fix it; `extra` follows the fixes. */
export function renderWebGpuProblem(host: HTMLElement, problem: WebGpuProblem, extra?: string): HTMLElement {
  const box = document.createElement('div');
  box.className = 'notice webgpu-problem';
  box.setAttribute('role', 'alert');
  box.dataset.kind = problem.kind;
  const h = document.createElement('h2');
  h.textContent = problem.title;
  const p = document.createElement('p');
  p.textContent = problem.detail;
  const ul = document.createElement('ul');
  for (const f of problem.fixes) ul.append(Object.assign(document.createElement('li'), { textContent: f }));
  box.append(h, p, ul);
  if (extra) box.append(Object.assign(document.createElement('p'), { textContent: extra }));
  host.replaceChildren(box);
  return box;
}
