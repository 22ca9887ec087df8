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
});
