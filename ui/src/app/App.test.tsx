/**
 * The whole app wired together, against a fake server (fetch) and a fake socket: sign-in, the
 * subscriptions, a command from click to confirmation, the toast, and a reconnect.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket, fakeServer, stubBrowser } from '../test/fakes';
import { App } from './App';

vi.mock('uplot', () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

describe('App', () => {
  beforeEach(() => {
    stubBrowser();
    window.history.replaceState(null, '', '/');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('signs in, subscribes, sends a command and shows it confirmed with a green toast', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    render(<App />);

    fireEvent.change(screen.getByTestId('signin-user'), { target: { value: 'alice' } });
    fireEvent.click(screen.getByTestId('signin-submit'));
    expect((await screen.findByTestId('current-user')).textContent).toBe('alice');

    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe(`ws://${window.location.host}/ws?ticket=ticket-1`);
    socket.open();
    expect(socket.sent).toEqual([
      { type: 'subscribe', topic: 'todos' },
      { type: 'subscribe', topic: 'stats' },
      // Where this window is (nowhere yet), after every (re)connect.
      { type: 'presence', entityId: null, field: null },
    ]);
    expect(screen.getByTestId('connection-badge').dataset.state).toBe('connected');

    const listCalls = () => server.calls.filter((c) => c.method === 'GET' && c.path === '/api/todos').length;
    const before = listCalls();
    socket.push({ type: 'subscribed', topic: 'todos' });
    await waitFor(() => expect(listCalls()).toBe(before + 1));

    fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: 'Buy milk' } });
    fireEvent.click(screen.getByTestId('new-todo-add'));

    const post = await waitFor(() => {
      const found = server.calls.find((c) => c.method === 'POST' && c.path === '/api/todos');
      expect(found).toBeDefined();
      return found!;
    });
    expect(post.headers.Authorization).toBe('Bearer token-alice');
    expect(post.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    const id = (post.body as { id: string }).id;
    expect(post.body).toEqual({ id, text: 'Buy milk' });

    // Optimistic is the default: the row is there once the 202 arrived.
    const row = await waitFor(() => {
      const item = screen.getByTestId('todo-item');
      expect(item.dataset.status).toBe('accepted');
      return item;
    });
    expect(row.dataset).toMatchObject({ id, pending: 'true' });

    socket.push({
      type: 'command.succeeded',
      commandId: 'cmd-1',
      entityId: id,
      status: 'success',
      data: { id, text: 'Buy milk', completed: false, version: 1, updatedBy: 'alice', updatedAt: '2026-11-26T14:00:00.000Z' },
    });
    await waitFor(() => expect(screen.getByTestId('todo-item').dataset).toMatchObject({ status: 'confirmed', pending: 'false' }));
    const toast = await screen.findByTestId('toast');
    expect(toast.dataset.kind).toBe('success');
    expect(toast.textContent).toContain("Confirmed: added 'Buy milk'");
    expect(within(screen.getByTestId('log')).getAllByText(/POST \/api\/todos/).length).toBeGreaterThan(0);
  });

  it('opens as the user named in ?user= and reconnects with a fresh ticket after a drop', async () => {
    const server = fakeServer();
    vi.stubGlobal('fetch', server.fetchMock);
    window.history.replaceState(null, '', '/?user=bob');
    render(<App />);
    expect((await screen.findByTestId('current-user')).textContent).toBe('bob');

    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    expect(screen.getByTestId('connection-badge').dataset.state).toBe('reconnecting');
    expect(screen.getByTestId('connection-badge').textContent).toMatch(/^Reconnecting in \d\.\d s$/);
    // Skip the jittered wait rather than sit through it.
    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    await waitFor(() => expect(FakeSocket.all).toHaveLength(2));
    expect(FakeSocket.all[1]!.url).toContain('ticket=ticket-2');
    FakeSocket.all[1]!.open();
    expect(screen.getByTestId('connection-badge').dataset.state).toBe('connected');
    expect(FakeSocket.all[1]!.sent).toEqual([
      { type: 'subscribe', topic: 'todos' },
      { type: 'subscribe', topic: 'stats' },
      { type: 'presence', entityId: null, field: null },
    ]);
  });
});
