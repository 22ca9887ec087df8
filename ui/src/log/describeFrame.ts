/** A one-line summary of a socket frame for the log (the full frame goes in the detail). */
import { isObject, isString } from '../shared/validate';

export interface FrameSummary {
  summary: string;
  noisy: boolean;
  level: 'info' | 'ok' | 'warn' | 'error';
}

const short = (id: unknown) => (isString(id) ? id.slice(0, 8) : '?');
const text = (data: unknown) => (isObject(data) && isString(data.text) ? ` '${data.text}'` : '');

export function describeFrame(frame: string): FrameSummary {
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return { summary: '(not JSON)', noisy: false, level: 'warn' };
  }
  if (!isObject(json) || !isString(json.type)) return { summary: '(no type)', noisy: false, level: 'warn' };
  const m = json;
  switch (m.type) {
    case 'stats':
      return { summary: `stats · queued ${m.queued} · todos ${m.todos} · connections ${m.connections}`, noisy: true, level: 'info' };
    case 'command.succeeded':
      return { summary: `command.succeeded · ${short(m.commandId)}${text(m.data)}`, noisy: false, level: 'ok' };
    case 'command.failed': {
      const code = isObject(m.error) && isString(m.error.code) ? m.error.code : '?';
      return { summary: `command.failed · ${short(m.commandId)} · ${code}`, noisy: false, level: 'error' };
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
    default:
      return { summary: String(m.type), noisy: false, level: 'info' };
  }
}
