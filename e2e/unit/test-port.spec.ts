// `npm test` must not depend on a fixed port: the Vite server of an interrupted run (or any
// program) holding the old default 5174 must not stop the next run.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { test, expect } from '@playwright/test';

test('a run without SOBOLEV_PORT picks a free port: a stale server on 5174 does not stop it', async () => {
  test.setTimeout(120_000);
  // A listener that never answers, like a Vite server left suspended by a killed run.
  const stale: Server = createServer(() => {});
  await new Promise<void>((resolve) => stale.once('error', () => resolve()).listen(5174, '127.0.0.1', () => resolve())); // in use already: as good
  try {
    // This runner's environment without the port, CI and this runner's own settings.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(SOBOLEV_PORT|CI|NODE_OPTIONS|TEST_|PW_|PLAYWRIGHT_)/.test(key)));
    const r = spawnSync('npx', ['playwright', 'test', 'e2e/unit/smoke.spec.ts', '--reporter=line', '--output', test.info().outputPath('nested')], { env, encoding: 'utf8', timeout: 110_000 });
    expect(r.stdout + r.stderr).not.toContain('already in use');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/1 passed/);
  } finally {
    stale.close();
  }
});
