import { describe, expect, it } from 'vitest';
import { PRESETS, parseForm, toForm } from './chaosForm';

const base = PRESETS.find((p) => p.id === 'default')!.settings;

describe('chaos form', () => {
  it('round-trips settings', () => {
    expect(parseForm(toForm(base))).toEqual({ ok: true, settings: base });
  });

  it('accepts a decimal comma and the extremes', () => {
    const result = parseForm({ ...toForm(base), httpFailureRate: '1', lostResponseRate: '0,5', processingFailureRate: '0' });
    expect(result).toMatchObject({ ok: true, settings: { httpFailureRate: 1, lostResponseRate: 0.5, processingFailureRate: 0 } });
  });

  it('names every bad field, as the server would', () => {
    const result = parseForm({
      ...toForm(base),
      httpFailureRate: '1.5',
      lostResponseRate: '',
      minHttpDelayMs: '900',
      maxHttpDelayMs: '800',
      minDelayMs: '-1',
      maxDelayMs: '700000',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        httpFailureRate: 'Between 0 and 1',
        lostResponseRate: 'Enter a number',
        maxHttpDelayMs: 'Must be at least the minimum',
        minDelayMs: 'Whole milliseconds, 0 or more',
        maxDelayMs: 'At most 600000',
      },
    });
  });
});
