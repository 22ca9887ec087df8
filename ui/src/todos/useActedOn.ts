/**
 * The row the user just acted on (added, changed, deleted, or picked in the log): it scrolls into
 * view and lights up for a moment. One owner for the whole window, so the list and the log light
 * the same row the same way.
 */
import { useCallback, useEffect, useState } from 'react';

/** How long the row acted on stays lit. */
export const ACTED_MS = 2000;

export interface ActedOn {
  id: string;
  /** A new number for every act, so acting on the lit row again scrolls to it again. */
  seq: number;
}

export function useActedOn(): [ActedOn | null, (id: string) => void] {
  const [actedOn, setActedOn] = useState<ActedOn | null>(null);
  useEffect(() => {
    if (actedOn === null) return;
    const timer = setTimeout(() => setActedOn(null), ACTED_MS);
    return () => clearTimeout(timer);
  }, [actedOn]);
  const act = useCallback((id: string) => setActedOn((previous) => ({ id, seq: (previous?.seq ?? 0) + 1 })), []);
  return [actedOn, act];
}
