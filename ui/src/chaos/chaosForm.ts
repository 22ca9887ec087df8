/** The chaos panel's form: text fields in, validated settings out (the server's rules, checked early). */
import { CHAOS_FIELDS, type ChaosField, type ChaosSettings } from '../api/types';

export type ChaosForm = Record<ChaosField, string>;
export type ChaosErrors = Partial<Record<ChaosField, string>>;

export interface FieldInfo {
  label: string;
  kind: 'rate' | 'ms';
  hint: string;
}

export const FIELD_INFO: Record<ChaosField, FieldInfo> = {
  httpFailureRate: { label: 'HTTP 500', kind: 'rate', hint: '0–1 · 500 before acceptance' },
  lostResponseRate: { label: 'Lost response', kind: 'rate', hint: '0–1 · accepted, yet 500' },
  processingFailureRate: { label: 'Processing failure', kind: 'rate', hint: '0–1 · fails in the queue' },
  minHttpDelayMs: { label: 'HTTP delay min (ms)', kind: 'ms', hint: 'before /api/todos answers' },
  maxHttpDelayMs: { label: 'HTTP delay max (ms)', kind: 'ms', hint: 'up to 60000' },
  minDelayMs: { label: 'Processing delay min (ms)', kind: 'ms', hint: 'wait in the queue' },
  maxDelayMs: { label: 'Processing delay max (ms)', kind: 'ms', hint: 'up to 600000' },
};

const MAX_MS: Partial<Record<ChaosField, number>> = { maxHttpDelayMs: 60_000, maxDelayMs: 600_000 };

export const PRESETS: { id: string; label: string; settings: ChaosSettings }[] = [
  {
    id: 'calm',
    label: 'Calm',
    settings: { httpFailureRate: 0, lostResponseRate: 0, processingFailureRate: 0, minHttpDelayMs: 50, maxHttpDelayMs: 200, minDelayMs: 300, maxDelayMs: 1000 },
  },
  {
    id: 'default',
    label: 'Default',
    settings: { httpFailureRate: 0.1, lostResponseRate: 0.02, processingFailureRate: 0.1, minHttpDelayMs: 100, maxHttpDelayMs: 800, minDelayMs: 1000, maxDelayMs: 4000 },
  },
  {
    id: 'storm',
    label: 'Storm',
    settings: { httpFailureRate: 0.5, lostResponseRate: 0.2, processingFailureRate: 0.3, minHttpDelayMs: 200, maxHttpDelayMs: 2000, minDelayMs: 2000, maxDelayMs: 8000 },
  },
];

export function toForm(settings: ChaosSettings): ChaosForm {
  const form = {} as ChaosForm;
  for (const field of CHAOS_FIELDS) form[field] = String(settings[field]);
  return form;
}

export function parseForm(form: ChaosForm): { ok: true; settings: ChaosSettings } | { ok: false; errors: ChaosErrors } {
  const errors: ChaosErrors = {};
  const values = {} as ChaosSettings;
  for (const field of CHAOS_FIELDS) {
    const raw = form[field].trim().replace(',', '.');
    const value = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(value)) {
      errors[field] = 'Enter a number';
      continue;
    }
    if (FIELD_INFO[field].kind === 'rate') {
      if (value < 0 || value > 1) errors[field] = 'Between 0 and 1';
    } else if (!Number.isInteger(value) || value < 0) {
      errors[field] = 'Whole milliseconds, 0 or more';
    } else if (value > (MAX_MS[field] ?? Infinity)) {
      errors[field] = `At most ${MAX_MS[field]}`;
    }
    values[field] = value;
  }
  if (!errors.minHttpDelayMs && !errors.maxHttpDelayMs && values.maxHttpDelayMs < values.minHttpDelayMs) {
    errors.maxHttpDelayMs = 'Must be at least the minimum';
  }
  if (!errors.minDelayMs && !errors.maxDelayMs && values.maxDelayMs < values.minDelayMs) {
    errors.maxDelayMs = 'Must be at least the minimum';
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, settings: values };
}

export function sameSettings(a: ChaosSettings, b: ChaosSettings): boolean {
  return CHAOS_FIELDS.every((field) => a[field] === b[field]);
}
