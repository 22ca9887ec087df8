import { describe, expect, it } from 'vitest';
import { newEntry, type CommandEntry } from '../commands/commandReducer';
import { statusText } from './CommandStatus';

const base: CommandEntry = newEntry({ key: 'k', kind: 'create', entityId: 'e', patch: { text: 'x' }, label: 'x' });

describe('statusText', () => {
  it('tells each phase', () => {
    expect(statusText(base, 0)).toBe('Sending…');
    expect(statusText({ ...base, phase: 'retrying', attempt: 3, nextAttemptAt: 2500, retryReason: 'HTTP 500' }, 1000)).toBe(
      'Retrying after HTTP 500 · attempt 3, next try in 1.5 s',
    );
    expect(statusText({ ...base, phase: 'retrying', attempt: 3, nextAttemptAt: 900 }, 1000)).toBe('Retrying · attempt 3…');
    expect(statusText({ ...base, phase: 'accepted' }, 0)).toBe('Accepted (202) · waiting for the server');
    expect(statusText({ ...base, phase: 'confirmed' }, 0)).toBe('Confirmed');
    expect(statusText({ ...base, phase: 'failed', error: { code: 'not-found', message: 'not-found' } }, 0)).toBe('Failed: This todo no longer exists (not-found)');
  });
});
