import { describe, expect, it } from 'vitest';
import { describeFrame } from './describeFrame';

describe('describeFrame', () => {
  it('sums up the frames a person wants to follow', () => {
    expect(
      describeFrame('{"type":"todo.changed","changedBy":"bob","action":"update","data":{"text":"Buy milk"}}').summary,
    ).toBe("todo.changed · bob update 'Buy milk'");
    expect(describeFrame('{"type":"command.failed","commandId":"1234567890","error":{"code":"conflict"}}')).toEqual({
      summary: 'command.failed · 12345678 · conflict',
      noisy: false,
      level: 'error',
    });
    expect(describeFrame('{"type":"subscribe","topic":"todos"}').summary).toBe('subscribe · todos');
  });

  it('marks stats ticks as noisy and copes with junk', () => {
    expect(describeFrame('{"type":"stats","queued":1,"todos":2,"connections":3}').noisy).toBe(true);
    expect(describeFrame('nope')).toMatchObject({ summary: '(not JSON)', level: 'warn' });
    expect(describeFrame('[]').summary).toBe('(no type)');
  });

  it('sums up the delivery and presence frames, and hides the 2 s pings', () => {
    expect(describeFrame('{"type":"ping"}').noisy).toBe(true);
    expect(describeFrame('{"type":"pong"}').noisy).toBe(true);
    expect(describeFrame('{"type":"welcome","epoch":"e1","seq":3,"windowId":"w-123456789"}')).toEqual({
      summary: 'welcome · epoch e1 · seq 3 · window w-123456',
      noisy: false,
      level: 'ok',
    });
    expect(describeFrame('{"type":"resumed","from":4,"to":6}').summary).toBe('resumed · replayed 4..6');
    expect(describeFrame('{"type":"resync","epoch":"e2","seq":0}').level).toBe('warn');
    expect(describeFrame('{"type":"command.succeeded","commandId":"1234567890","seq":9}').summary).toBe('command.succeeded · 12345678 · seq 9');
    expect(describeFrame('{"type":"invoice.paid","seq":10}').summary).toBe('invoice.paid · seq 10');
    expect(describeFrame('{"type":"presence.left","userId":"bob"}')).toMatchObject({ summary: 'presence.left · bob', noisy: false });
    expect(describeFrame('{"type":"presence","entityId":"1234567890","field":"text"}')).toMatchObject({
      summary: 'presence · 12345678 · text',
      noisy: true,
    });
  });

  it('names the todo an outcome, change or presence frame concerns, and none for the others', () => {
    expect(describeFrame('{"type":"todo.changed","entityId":"t-1","changedBy":"bob","data":null}').entityId).toBe('t-1');
    expect(describeFrame('{"type":"command.succeeded","commandId":"c1","entityId":"t-2","data":null}').entityId).toBe('t-2');
    expect(describeFrame('{"type":"presence","entityId":null}').entityId).toBeUndefined();
    expect(describeFrame('{"type":"stats","queued":1,"todos":2,"connections":3}')).not.toHaveProperty('entityId');
    expect(describeFrame('nope')).not.toHaveProperty('entityId');
  });
});
