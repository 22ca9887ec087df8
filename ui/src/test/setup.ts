import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

// Testing Library only cleans up by itself when the test runner exposes globals.
afterEach(() => {
  cleanup();
});
