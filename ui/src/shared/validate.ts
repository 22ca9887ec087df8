/** Small readers for untrusted JSON: they check, they never cast blindly. */
import { CHAOS_FIELDS, type ChaosSettings, type CommandError, type Todo } from '../api/types';

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
  for (const field of CHAOS_FIELDS) if (!isFiniteNumber(value[field])) return null;
  return Object.fromEntries(CHAOS_FIELDS.map((field) => [field, value[field]])) as unknown as ChaosSettings;
}
