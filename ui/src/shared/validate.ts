/** Small readers for untrusted JSON: they check, they never cast blindly. */
import type { ChaosSettings, CommandError, Todo } from '../api/types';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A todo as the server sends it, or null when the value is not one. */
export function readTodo(value: unknown): Todo | null {
  if (!isObject(value)) return null;
  const { id, text, completed, version, updatedBy, updatedAt } = value;
  if (!isString(id) || id === '' || !isString(text) || typeof completed !== 'boolean' || !isFiniteNumber(version)) {
    return null;
  }
  return {
    id,
    text,
    completed,
    version,
    updatedBy: isString(updatedBy) ? updatedBy : '',
    updatedAt: isString(updatedAt) ? updatedAt : '',
  };
}

export function readCommandError(value: unknown): CommandError | null {
  if (!isObject(value) || !isString(value.code)) return null;
  return { code: value.code, message: isString(value.message) ? value.message : value.code };
}

export function readChaosSettings(value: unknown): ChaosSettings | null {
  if (!isObject(value)) return null;
  const fields = [
    'httpFailureRate',
    'lostResponseRate',
    'processingFailureRate',
    'minHttpDelayMs',
    'maxHttpDelayMs',
    'minDelayMs',
    'maxDelayMs',
  ] as const;
  for (const field of fields) if (!isFiniteNumber(value[field])) return null;
  return {
    httpFailureRate: value.httpFailureRate as number,
    lostResponseRate: value.lostResponseRate as number,
    processingFailureRate: value.processingFailureRate as number,
    minHttpDelayMs: value.minHttpDelayMs as number,
    maxHttpDelayMs: value.maxHttpDelayMs as number,
    minDelayMs: value.minDelayMs as number,
    maxDelayMs: value.maxDelayMs as number,
  };
}
