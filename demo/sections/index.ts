// Every experiment section of the demo, in page order. Each line loads one section module.
import type { Section } from './types';

export const sectionLoaders: (() => Promise<{ section: Section }>)[] = [
  () => import('./nn'),
  () => import('./linear'),
  () => import('./generative'),
];
