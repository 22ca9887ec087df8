import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConnectionBadge, badgeState, badgeText } from './ConnectionBadge';

describe('ConnectionBadge', () => {
  it('maps the socket status to the three badge states', () => {
    expect(badgeState('open')).toBe('connected');
    expect(badgeState('connecting')).toBe('reconnecting');
    expect(badgeState('waiting')).toBe('reconnecting');
    expect(badgeState('offline')).toBe('offline');
    expect(badgeState('closed')).toBe('offline');
  });

  it('counts down to the next attempt', () => {
    expect(badgeText('waiting', 10_000, 2, 7_700)).toBe('Reconnecting in 2.3 s');
    expect(badgeText('waiting', 10_000, 2, 12_000)).toBe('Reconnecting in 0.0 s');
  });

  it('exposes its state for people and for tests', () => {
    render(<ConnectionBadge status="open" nextAttemptAt={null} attempt={0} onReconnectNow={() => {}} />);
    const badge = screen.getByTestId('connection-badge');
    expect(badge.dataset.state).toBe('connected');
    expect(screen.getByRole('status', { name: 'Live updates: connected' })).toBe(badge);
  });
});
