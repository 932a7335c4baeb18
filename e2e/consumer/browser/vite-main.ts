// Vite follows the library's `new Worker(new URL('./worker.js', import.meta.url))`: no option needed.
import { runApp, type AppResult } from './app';

(globalThis as { app?: Promise<AppResult | { error: string }> }).app = runApp({}).catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
