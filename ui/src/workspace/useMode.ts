import { useCallback, useState } from 'react';
import { DEFAULT_MODE, isMode, type Mode } from '../modes/modes';

const KEY = 'edf.mode';

/** The mode of this window, kept across reloads of the same tab. */
export function useMode(): [Mode, (mode: Mode) => void] {
  const [mode, setModeState] = useState<Mode>(() => {
    try {
      const stored = window.sessionStorage.getItem(KEY);
      return isMode(stored) ? stored : DEFAULT_MODE;
    } catch {
      return DEFAULT_MODE;
    }
  });
  const setMode = useCallback((next: Mode) => {
    setModeState(next);
    try {
      window.sessionStorage.setItem(KEY, next);
    } catch {
      // not kept, that is all
    }
  }, []);
  return [mode, setMode];
}
