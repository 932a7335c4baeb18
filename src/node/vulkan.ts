/** Where Dawn's Vulkan backend gets its two parts on Linux: the loader (libvulkan.so.1) and a
 *  driver (an ICD, named by a JSON manifest). A system without a Vulkan loader — a container,
 *  a CI image — often has Chromium, whose package ships both the loader and SwiftShader, a
 *  software Vulkan driver; this module finds them, points the loader at SwiftShader when told
 *  (VK_ICD_FILENAMES / VK_DRIVER_FILES, read by the loader each time Dawn creates an instance)
 *  and loads a loader that is not on the library path, so no LD_LIBRARY_PATH is needed. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** No Vulkan loader or driver where Dawn can use one; the message says what to install. */
export class VulkanNotFoundError extends Error {
  override name = 'VulkanNotFoundError';
}

const LOADER = 'libvulkan.so.1';
const SWIFTSHADER = 'vk_swiftshader_icd.json';
/** glibc's RTLD_NODELETE (not in os.constants.dlopen): the library stays loaded after Node's
 *  process.dlopen gives up on it (it is no Node addon), so Dawn's dlopen finds it by soname. */
const RTLD_NODELETE = 0x1000;

/** Folders that hold a Chromium build with SwiftShader and its own Vulkan loader. */
function chromiumDirs(): string[] {
  const dirs = ['/usr/lib/chromium', '/usr/lib/chromium-browser', '/usr/lib64/chromium-browser', '/opt/google/chrome', '/snap/chromium/current/usr/lib/chromium-browser'];
  // Playwright's browsers (PLAYWRIGHT_BROWSERS_PATH or ~/.cache/ms-playwright/chromium-*/chrome-linux*/).
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  try {
    for (const build of readdirSync(cache).filter((d) => d.startsWith('chromium')).sort().reverse()) {
      for (const sub of ['chrome-linux64', 'chrome-linux']) dirs.push(join(cache, build, sub));
    }
  } catch {
    // no Playwright cache
  }
  return dirs;
}

/** The standard library folders and LD_LIBRARY_PATH, where dlopen('libvulkan.so.1') looks. */
function libraryDirs(): string[] {
  const env = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const arch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return [...env, `/lib/${arch}`, `/usr/lib/${arch}`, '/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib'];
}

/** Whether dlopen('libvulkan.so.1') can succeed without help. */
function systemLoader(): boolean {
  if (libraryDirs().some((d) => existsSync(join(d, LOADER)))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(LOADER);
  } catch {
    return false;
  }
}

function loaderMapped(): boolean {
  try {
    return readFileSync('/proc/self/maps', 'utf8').includes(`/${LOADER}`);
  } catch {
    return false;
  }
}

/** The SwiftShader ICD manifest: `given` (a path) or the first found in a Chromium folder. */
export function findSwiftShader(given?: string): string {
  if (given) {
    if (!existsSync(given)) throw new VulkanNotFoundError(`swiftshader: ${given} does not exist; pass the path of a vk_swiftshader_icd.json (Chromium ships one)`);
    return given;
  }
  const found = chromiumDirs().map((d) => join(d, SWIFTSHADER)).find((f) => existsSync(f));
  if (!found) {
    throw new VulkanNotFoundError(
      `SwiftShader (${SWIFTSHADER}) was not found in ${chromiumDirs().slice(0, 5).join(', ')} or Playwright's browsers. ` +
        "Install Chromium (Debian/Ubuntu: apt-get install chromium; or npx playwright install chromium), or pass swiftshader: '/path/to/vk_swiftshader_icd.json'.",
    );
  }
  return found;
}

/** Points the Vulkan loader at one ICD manifest for every Dawn instance created after this. */
export function useIcd(manifest: string): void {
  process.env.VK_ICD_FILENAMES = manifest;
  process.env.VK_DRIVER_FILES = manifest;
}

/** Makes sure Dawn can load a Vulkan loader: the system's, or Chromium's (next to `near`, an ICD
 *  manifest, first), loaded into the process. Throws VulkanNotFoundError naming what to install. */
export function ensureLoader(near?: string): void {
  if (process.platform !== 'linux' || loaderMapped() || systemLoader()) return;
  const candidates = [...(near ? [dirname(near)] : []), ...chromiumDirs()].map((d) => join(d, LOADER)).filter((f) => existsSync(f));
  for (const file of candidates) {
    try {
      process.dlopen({ exports: {} }, file, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
    } catch {
      // "Module did not self-register": expected, it is a plain library; it stays loaded.
    }
    if (loaderMapped()) return;
  }
  throw new VulkanNotFoundError(
    `Dawn needs the Vulkan loader (${LOADER}), and none is installed. Install it with a driver: ` +
      'Debian/Ubuntu: apt-get install libvulkan1 mesa-vulkan-drivers (lavapipe, a software driver) or your GPU vendor\'s driver; ' +
      'or install Chromium (apt-get install chromium), whose loader and SwiftShader driver createNodeContext({ swiftshader: true }) uses.',
  );
}

/** The ICD manifests the loader would read now (for error messages). */
export function installedIcds(): string[] {
  const env = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES;
  if (env) return env.split(':').filter(Boolean);
  const dirs = ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d', join(homedir(), '.local/share/vulkan/icd.d')];
  return dirs.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f));
    } catch {
      return [];
    }
  });
}
