/** When the list shows a change: the three ways of dealing with eventual consistency. */
export type Mode = 'safe' | 'optimistic' | 'brave';

export interface ModeInfo {
  id: Mode;
  label: string;
  /** One sentence, shown next to the choice. */
  explanation: string;
}

export const MODES: readonly ModeInfo[] = [
  {
    id: 'safe',
    label: 'Safe',
    explanation: 'The list changes only when the server pushes the confirmed result.',
  },
  {
    id: 'optimistic',
    label: 'Optimistic',
    explanation: 'The list changes as soon as the server accepts the command (202) and rolls back if it later fails.',
  },
  {
    id: 'brave',
    label: 'Brave',
    explanation: 'The list changes the moment you act and rolls back if the command fails on the way.',
  },
];

export const DEFAULT_MODE: Mode = 'optimistic';

export function isMode(value: unknown): value is Mode {
  return value === 'safe' || value === 'optimistic' || value === 'brave';
}
