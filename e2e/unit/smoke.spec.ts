import { test, expect } from '@playwright/test';
import { isActivation } from '../../src/types';

test('activation names', () => {
  expect(isActivation('tanh')).toBe(true);
  expect(isActivation('swish')).toBe(false);
});
