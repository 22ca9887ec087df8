import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTED_MS, useActedOn } from './useActedOn';

describe('the row acted on', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is lit for a moment, and acting again renews it with a new number', () => {
    const { result } = renderHook(() => useActedOn());
    expect(result.current[0]).toBeNull();
    act(() => result.current[1]('t-1'));
    const first = result.current[0];
    expect(first?.id).toBe('t-1');
    act(() => vi.advanceTimersByTime(ACTED_MS - 100));
    act(() => result.current[1]('t-1'));
    expect(result.current[0]?.id).toBe('t-1');
    expect(result.current[0]?.seq).not.toBe(first?.seq);
    act(() => vi.advanceTimersByTime(ACTED_MS - 100));
    expect(result.current[0]?.id).toBe('t-1');
    act(() => vi.advanceTimersByTime(100));
    expect(result.current[0]).toBeNull();
  });
});
