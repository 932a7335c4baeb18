// Runs the README's Quick start example (e2e/build.spec.ts writes it, unchanged, to
// ./example.ts) and resolves when its top-level awaits are done: the test reads its console.
(globalThis as { app?: Promise<{ error?: string }> }).app = import('./example')
  .then(() => ({}))
  .catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
