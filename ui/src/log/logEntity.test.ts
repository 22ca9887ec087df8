import { describe, expect, it } from 'vitest';
import { entityIdInText, entityIdOf } from './logEntity';

describe('the todo a log line concerns', () => {
  it('is the entityId of a frame or body', () => {
    expect(entityIdOf({ type: 'todo.changed', entityId: 't-1' })).toBe('t-1');
    expect(entityIdInText('{"commandId":"c1","entityId":"t-2","status":"accepted"}')).toBe('t-2');
  });

  it('is nothing for lines about no todo, or junk', () => {
    expect(entityIdOf({ type: 'stats' })).toBeUndefined();
    expect(entityIdOf({ entityId: '' })).toBeUndefined();
    expect(entityIdOf({ entityId: 7 })).toBeUndefined();
    expect(entityIdInText('not json')).toBeUndefined();
  });
});
