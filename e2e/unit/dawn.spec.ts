import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test, expect } from '@playwright/test';

// DESIGN §3: the core runs in Node on Dawn too, through createNodeContext (sobolev-webgpu/node).
// Here Dawn drives SwiftShader, the Vulkan driver Debian's chromium ships; createNodeContext
// finds the loader and the driver in /usr/lib/chromium itself, so the environment names none.
const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';

test('the built library runs in Node on Dawn (webgpu package, SwiftShader), both GEMM variants', () => {
  test.setTimeout(180_000);
  expect(existsSync(icd), `${icd} (Debian's chromium package) is needed for this test`).toBe(true);
  execFileSync('node', ['scripts/build.mjs', '--quiet'], { stdio: 'pipe' });
  const env: NodeJS.ProcessEnv = { ...process.env, SOBOLEV_WEBGPU_SWIFTSHADER: 'fallback' };
  for (const key of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'LD_LIBRARY_PATH']) delete env[key];
  for (const tiled of ['0', '1']) {
    const out = execFileSync('node', ['scripts/dawn-smoke.mjs'], { env: { ...env, TILED: tiled } }).toString().trim().split('\n').pop()!;
    const r = JSON.parse(out);
    expect(r.adapter).toMatch(/SwiftShader/);
    expect(r.tiled).toBe(tiled === '1');
    r.y.forEach((v: number, i: number) => expect(Math.abs(v - r.expected[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.expected[i]))));
    expect(r.losses[1]).toBeLessThan(r.losses[0]);
  }
});
