import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ConnectionBadge, badgeState, badgeText, parseDropSeconds } from './ConnectionBadge';

describe('ConnectionBadge', () => {
  it('maps the socket status to the three badge states', () => {
    expect(badgeState('open')).toBe('connected');
    expect(badgeState('connecting')).toBe('reconnecting');
    expect(badgeState('waiting')).toBe('reconnecting');
    expect(badgeState('offline')).toBe('offline');
    expect(badgeState('closed')).toBe('offline');
    expect(badgeState('suspended')).toBe('offline');
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

  it('drops the connection for the seconds asked (5 by default)', () => {
    const onDrop = vi.fn();
    const { rerender } = render(<ConnectionBadge status="open" nextAttemptAt={null} attempt={0} onReconnectNow={() => {}} onDrop={onDrop} />);
    const button = screen.getByTestId('simulate-drop') as HTMLButtonElement;
    expect(button.textContent).toBe('Drop connection (5 s)');
    fireEvent.click(button);
    expect(onDrop).toHaveBeenLastCalledWith(5000);
    fireEvent.change(screen.getByTestId('simulate-drop-seconds'), { target: { value: '12' } });
    expect(button.textContent).toBe('Drop connection (12 s)');
    fireEvent.click(button);
    expect(onDrop).toHaveBeenLastCalledWith(12_000);

    rerender(<ConnectionBadge status="suspended" nextAttemptAt={Date.now() + 12_000} attempt={0} onReconnectNow={() => {}} onDrop={onDrop} />);
    expect(screen.getByTestId('connection-badge').dataset.state).toBe('offline');
    expect(screen.getByTestId('connection-badge').textContent).toMatch(/^Dropped on purpose · back in 1\d\.\d s$/);
    expect((screen.getByTestId('simulate-drop') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('button', { name: 'Reconnect now' })).toBeTruthy();
  });

  it('accepts whole seconds from 1 to 120', () => {
    expect(parseDropSeconds('5')).toBe(5);
    expect(parseDropSeconds('2.4')).toBe(2);
    expect(parseDropSeconds('0')).toBeNull();
    expect(parseDropSeconds('121')).toBeNull();
    expect(parseDropSeconds('')).toBeNull();
  });
});
