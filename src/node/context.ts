/** A Context in Node on Dawn (the `webgpu` npm package, an optional peer dependency): its
 *  globals installed, its GPU instance kept alive for the context's lifetime, the Vulkan loader
 *  and a driver found (or an error naming what to install), SwiftShader when told. */
import { checkContextOptions, CONTEXT_OPTION_KEYS, contextOnAdapter, type Context, type ContextOptions } from '../gpu/context';
import { NoAdapterError } from '../gpu/errors';
import { ensureLoader, findSwiftShader, installedIcds, useIcd, VulkanNotFoundError } from './vulkan';

export interface NodeContextOptions extends Omit<ContextOptions, 'device'> {
  /**
   * Use SwiftShader, the software Vulkan driver Chromium ships (correct, CPU-only, slow):
   * `true` always; `'fallback'` only when no other adapter is found; a string other than
   * 'fallback': the path of its vk_swiftshader_icd.json. Default: the environment variable
   * SOBOLEV_WEBGPU_SWIFTSHADER ('1', 'fallback' or a path), else false. Linux only.
   */
  swiftshader?: boolean | 'fallback' | string;
  /** Flags for Dawn's `create()`, e.g. ['backend=vulkan', 'enable-dawn-features=...'] (default []). */
  dawnFlags?: string[];
}

interface Dawn {
  create(flags: string[]): GPU;
  globals: object;
}

/** Dawn's GPU instances, one per set of flags and Vulkan driver list, held for the life of the
 *  process and shared by its contexts. An instance that is collected while another is in use
 *  (a context destroyed, the next one created) takes the process down with it: a hang, a
 *  SIGSEGV or `std::system_error … Invalid argument`. Contexts own devices, never instances. */
const instances = new Map<string, GPU>();

/** The process's Dawn instance for these flags and the driver list the loader reads now. */
function dawnInstance(dawn: Dawn, flags: string[]): GPU {
  const key = JSON.stringify([flags, process.env.VK_ICD_FILENAMES ?? '', process.env.VK_DRIVER_FILES ?? '']);
  let gpu = instances.get(key);
  if (!gpu) instances.set(key, (gpu = dawn.create(flags)));
  return gpu;
}

async function loadDawn(): Promise<Dawn> {
  try {
    const name = 'webgpu'; // a variable: bundlers of the browser entries never see the import
    return (await import(/* @vite-ignore */ name)) as Dawn;
  } catch (error) {
    throw new Error(
      "createNodeContext needs the 'webgpu' package (Dawn for Node), an optional peer dependency of sobolev-webgpu: npm install webgpu " +
        `(${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** Defines Dawn's WebGPU globals (GPUBufferUsage, GPUMapMode, …) that are not defined yet. */
function installGlobals(globals: object): void {
  for (const [key, value] of Object.entries(globals)) {
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, writable: true, configurable: true });
  }
}

type SwiftShader = { mode: 'off' | 'on' | 'fallback'; manifest?: string };

function swiftShaderMode(option: NodeContextOptions['swiftshader']): SwiftShader {
  const value = option ?? process.env.SOBOLEV_WEBGPU_SWIFTSHADER ?? false;
  if (value === false || value === '' || value === '0' || value === 'false') return { mode: 'off' };
  if (value === true || value === '1' || value === 'true') return { mode: 'on' };
  if (value === 'fallback') return { mode: 'fallback' };
  if (typeof value === 'string') return { mode: 'on', manifest: value };
  throw new TypeError(`swiftshader must be true, false, 'fallback' or the path of vk_swiftshader_icd.json, got ${String(value)}`);
}

/** Prepares the process for Dawn's Vulkan backend: the Vulkan loader found (or loaded from
 *  Chromium's folder), SwiftShader made the driver when `on`. The environment is process-wide:
 *  the Node pool calls this on the main thread before its workers start, so every worker's
 *  instance sees the same driver. Synchronous; throws VulkanNotFoundError naming what to install. */
export function prepareVulkan(option: NodeContextOptions['swiftshader']): SwiftShader {
  const swiftshader = swiftShaderMode(option);
  if (swiftshader.mode !== 'off' && process.platform !== 'linux') {
    throw new TypeError(`swiftshader is for Linux (Dawn uses Metal on macOS and D3D12 on Windows, no Vulkan driver to choose); this is ${process.platform}`);
  }
  if (swiftshader.mode === 'on') {
    const manifest = findSwiftShader(swiftshader.manifest);
    useIcd(manifest);
    ensureLoader(manifest);
  } else if (process.platform === 'linux') {
    try {
      ensureLoader();
    } catch (error) {
      if (swiftshader.mode !== 'fallback') throw error;
      // No loader at all: only SwiftShader (with Chromium's loader) can run.
      const manifest = findSwiftShader();
      useIcd(manifest);
      ensureLoader(manifest);
      return { mode: 'on', manifest };
    }
  }
  return swiftshader;
}

async function requestAdapter(gpu: GPU, options: NodeContextOptions): Promise<GPUAdapter | null> {
  return gpu.requestAdapter(options.adapter);
}

/**
 * Creates a Context on a new Dawn device in Node: `webgpu`'s globals are installed (only those
 * not yet defined), one Dawn instance serves every context of the process (created and
 * destroyed in any order), the
 * Vulkan loader is found on Linux (the system's, or Chromium's without LD_LIBRARY_PATH), and
 * SwiftShader is used when told. `ctx.destroy()` frees every buffer and the device.
 * Throws VulkanNotFoundError or NoAdapterError with what to install.
 * @example
 * import { createNodeContext } from 'sobolev-webgpu/node';
 * const ctx = await createNodeContext({ swiftshader: 'fallback' });
 */
export async function createNodeContext(options: NodeContextOptions = {}): Promise<Context> {
  checkContextOptions('createNodeContext', options, [...CONTEXT_OPTION_KEYS.filter((key) => key !== 'device'), 'swiftshader', 'dawnFlags']);
  const swiftshader = prepareVulkan(options.swiftshader);
  const dawn = await loadDawn();
  installGlobals(dawn.globals);
  let adapter = await requestAdapter(dawnInstance(dawn, options.dawnFlags ?? []), options);
  if (!adapter && swiftshader.mode === 'fallback') {
    const manifest = findSwiftShader();
    useIcd(manifest);
    ensureLoader(manifest);
    // The loader reads the driver list per instance: SwiftShader's is another one.
    adapter = await requestAdapter(dawnInstance(dawn, options.dawnFlags ?? []), options);
  }
  if (!adapter) {
    if (process.platform !== 'linux') throw new NoAdapterError();
    const icds = installedIcds();
    throw new VulkanNotFoundError(
      `Dawn found no GPU adapter. Vulkan drivers (ICD manifests) the loader sees: ${icds.length ? icds.join(', ') : 'none'}. ` +
        'Install a driver (your GPU vendor\'s, or mesa-vulkan-drivers for lavapipe, a software one), or use SwiftShader from Chromium: ' +
        "createNodeContext({ swiftshader: true }) or SOBOLEV_WEBGPU_SWIFTSHADER=1 (apt-get install chromium if it is missing).",
    );
  }
  return contextOnAdapter(adapter, options);
}
