import { describe, expect, it } from 'vitest';
import { describeClose } from './closeReasons';

describe('describeClose', () => {
  const cursor = { epoch: 'e1', seq: 14 };
  it('says what each close code means and that the window resumes', () => {
    expect(describeClose({ code: 1001, reason: '', wasClean: true }, cursor).summary).toBe(
      'server going away (1001): reconnecting with jittered backoff, then resuming after seq 14',
    );
    expect(describeClose({ code: 4008, reason: 'slow consumer', wasClean: true }, cursor).summary).toBe(
      'slow consumer (4008, slow consumer): this window fell behind; reconnecting, then resuming after seq 14',
    );
    expect(describeClose({ code: 1011, reason: '', wasClean: true }, null)).toEqual({ summary: 'server error (1011): reconnecting with backoff', level: 'error' });
    expect(describeClose({ code: 1009, reason: '', wasClean: true }, null).level).toBe('error');
    expect(describeClose({ code: 1008, reason: '', wasClean: true }, null).summary).toContain('not completed in time');
    expect(describeClose({ code: 4000, reason: 'nothing received for 6 s', wasClean: false, byClient: true }, cursor).summary).toBe(
      'dead socket: nothing received for 6 s; closed it, reconnecting, then resuming after seq 14',
    );
    expect(describeClose({ code: 4001, reason: 'simulated drop', wasClean: true, byClient: true }, cursor).summary).toBe(
      'dropped on purpose (simulated): reconnecting when the time is up, then resuming after seq 14',
    );
    expect(describeClose({ code: 1006, reason: '', wasClean: false }, null).summary).toBe('connection lost (1006); reconnecting with backoff');
    expect(describeClose({ code: 4029, reason: 'too many sockets', wasClean: true }, null)).toEqual({
      summary: 'refused (4029, too many sockets): this user has too many windows open; close one, reconnecting with backoff',
      level: 'error',
    });
  });
});
