/** The socket core without React: state changes, offline handling, the send queue. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RawFakeSocket } from '../test/fakes';
import { CLOSE_BROWSER_OFFLINE, createSocketClient, type SocketOptions, type SocketState } from './socketClient';

class Fake extends RawFakeSocket {}

const setOnline = (online: boolean) => {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
};

describe('createSocketClient', () => {
  let states: SocketState[];
  let closes: number[];
  let options: SocketOptions;
  beforeEach(() => {
    vi.useFakeTimers();
    Fake.all = [];
    states = [];
    closes = [];
    let ticket = 0;
    options = {
      getUrl: async () => `ws://test/ws?ticket=t${++ticket}`,
      onMessage: () => {},
      onClose: (info) => closes.push(info.code),
      createSocket: (url) => new Fake(url),
      random: () => 0.5,
    };
  });
  afterEach(() => {
    setOnline(true);
    vi.useRealTimers();
  });

  const start = async () => {
    const client = createSocketClient(() => options, (s) => states.push(s));
    await vi.advanceTimersByTimeAsync(0);
    return client;
  };
  const status = () => states[states.length - 1]?.status;

  it('sends what was queued before the socket opened, in order, once open', async () => {
    const client = await start();
    client.send({ type: 'subscribe', topic: 'todos' });
    client.send({ type: 'ping' });
    expect(client.trySend({ type: 'ping' })).toBe(false);
    Fake.all[0]!.serverOpens();
    expect(status()).toBe('open');
    expect(Fake.all[0]!.texts).toEqual(['{"type":"subscribe","topic":"todos"}', '{"type":"ping"}']);
    client.dispose();
    expect(Fake.all[0]!.closedWith).toBe(1000);
  });

  it('gives an open socket up at once on the browser’s offline event, and reconnects when online', async () => {
    const client = await start();
    const first = Fake.all[0]!;
    first.serverOpens();
    setOnline(false);
    expect(status()).toBe('offline');
    expect(first.closedWith).toBe(CLOSE_BROWSER_OFFLINE);
    expect(closes).toEqual([CLOSE_BROWSER_OFFLINE]);
    // no attempts while offline, however long
    await vi.advanceTimersByTimeAsync(120_000);
    expect(Fake.all).toHaveLength(1);
    setOnline(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(Fake.all).toHaveLength(2);
    Fake.all[1]!.serverOpens();
    expect(status()).toBe('open');
    client.dispose();
  });

  it('abandons an attempt still waiting for its ticket when the browser goes offline', async () => {
    let release: (url: string) => void = () => {};
    options.getUrl = () => new Promise((resolve) => (release = resolve));
    const client = createSocketClient(() => options, (s) => states.push(s));
    expect(status()).toBe('connecting');
    setOnline(false);
    expect(status()).toBe('offline');
    release('ws://test/ws?ticket=late');
    await vi.advanceTimersByTimeAsync(0);
    expect(Fake.all).toHaveLength(0);
    client.dispose();
  });
});
