/** A one-line summary of a socket frame for the log (the full frame goes in the detail). */
import { isObject, isString, type Json } from '../shared/validate';
import { entityIdOf } from './logEntity';

export interface FrameSummary {
  summary: string;
  noisy: boolean;
  level: 'info' | 'ok' | 'warn' | 'error';
  /** The todo the frame concerns, when it names one (outcomes, todo.*, presence). */
  entityId?: string;
}

const short = (id: unknown) => (isString(id) ? id.slice(0, 8) : '?');
const windowOf = (m: Record<string, unknown>) => (isString(m.windowId) ? ` · window ${short(m.windowId)}` : '');
const seqOf = (m: Record<string, unknown>) => (typeof m.seq === 'number' ? ` · seq ${m.seq}` : '');
const text = (data: unknown) => (isObject(data) && isString(data.text) ? ` '${data.text}'` : '');

export function describeFrame(frame: string): FrameSummary {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return { summary: '(not JSON)', noisy: false, level: 'warn' };
  }
  if (!isObject(json) || !isString(json.type)) return { summary: '(no type)', noisy: false, level: 'warn' };
  const described = summarise(json);
  const entityId = entityIdOf(json);
  return entityId === undefined ? described : { ...described, entityId };
}

function summarise(m: Json): FrameSummary {
  switch (m.type) {
    case 'stats':
      return { summary: `stats · queued ${m.queued} · todos ${m.todos} · connections ${m.connections}`, noisy: true, level: 'info' };
    case 'command.succeeded':
      return { summary: `command.succeeded · ${short(m.commandId)}${text(m.data)}${seqOf(m)}`, noisy: false, level: 'ok' };
    case 'command.failed': {
      const code = isObject(m.error) && isString(m.error.code) ? m.error.code : '?';
      return { summary: `command.failed · ${short(m.commandId)} · ${code}${seqOf(m)}`, noisy: false, level: 'error' };
    }
    case 'todo.pending':
      return { summary: `todo.pending · by ${m.by} · ${short(m.entityId)}`, noisy: false, level: 'info' };
    case 'todo.changed':
      return { summary: `todo.changed · ${m.changedBy} ${isString(m.action) ? m.action : 'changed'}${text(m.data)}`, noisy: false, level: 'info' };
    case 'todo.failed':
      return { summary: `todo.failed · by ${m.by} · ${short(m.entityId)}`, noisy: false, level: 'warn' };
    case 'subscribe':
    case 'unsubscribe':
    case 'subscribed':
    case 'unsubscribed':
      return { summary: `${m.type} · ${m.topic}`, noisy: false, level: 'info' };
    case 'error':
      return { summary: `error · ${m.code}: ${m.message}`, noisy: false, level: 'warn' };
    case 'ping':
    case 'pong':
      return { summary: String(m.type), noisy: true, level: 'info' };
    case 'welcome':
      return { summary: `welcome · epoch ${m.epoch} · seq ${m.seq}${windowOf(m)}`, noisy: false, level: 'ok' };
    case 'resumed':
      return { summary: `resumed · replayed ${m.from}..${m.to}${windowOf(m)}`, noisy: false, level: 'ok' };
    case 'resync':
      return { summary: `resync · epoch ${m.epoch} · seq ${m.seq}${windowOf(m)}`, noisy: false, level: 'warn' };
    case 'presence':
      return { summary: `presence · ${isString(m.entityId) ? short(m.entityId) : 'nothing'}${isString(m.field) ? ` · ${m.field}` : ''}`, noisy: true, level: 'info' };
    case 'presence.snapshot':
      return { summary: `presence.snapshot · ${Array.isArray(m.windows) ? m.windows.length : '?'} windows`, noisy: false, level: 'info' };
    case 'presence.changed':
      return {
        summary: `presence.changed · ${m.userId} on ${isString(m.entityId) ? short(m.entityId) : 'nothing'}${isString(m.field) ? ` · ${m.field}` : ''}`,
        noisy: true,
        level: 'info',
      };
    case 'presence.left':
      return { summary: `presence.left · ${m.userId}`, noisy: false, level: 'info' };
    default:
      return { summary: `${String(m.type)}${seqOf(m)}`, noisy: false, level: 'info' };
  }
}
