/**
 * The signed-in window wired together against a fake server and socket, on fake timers: resume
 * and resync, the pending watchdog, the drop control, dead-socket detection, presence, others'
 * pending changes and conflicts, as a user (and the Selenium test) sees them.
 */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../app/App';
import { UNDO_DELETE_MS } from '../commands/useTodos';
import { FakeSocket, chaos, fakeServer, stubBrowser, todoJson } from '../test/fakes';

vi.mock('uplot', () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

const tick = async (ms = 0) => {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
};

/** Lets every fetch and promise chain in flight finish, without moving the clock. */
const settle = async () => {
  for (let i = 0; i < 8; i++) await tick(0);
};

type Server = ReturnType<typeof fakeServer>;

async function signIn(server: Server, user = 'alice'): Promise<FakeSocket> {
  vi.stubGlobal('fetch', server.fetchMock);
  window.history.replaceState(null, '', `/?user=${user}`);
  render(<App />);
  await settle();
  expect(FakeSocket.all).toHaveLength(1);
  const socket = FakeSocket.last();
  socket.open();
  return socket;
}

/** Subscribed to todos: the list is (re)fetched. */
async function subscribed(socket: FakeSocket) {
  socket.push({ type: 'subscribed', topic: 'todos' });
  await settle();
}

const logText = () => screen.getByTestId('log').textContent ?? '';
const item = (id: string) => document.querySelector<HTMLElement>(`[data-testid="todo-item"][data-id="${id}"]`)!;
const badge = () => screen.getByTestId('connection-badge').dataset.state;

describe('the live window', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-26T14:00:00.000Z'));
    // Jitter at its middle, so backoff waits are known.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    stubBrowser();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    window.history.replaceState(null, '', '/');
  });

  describe('delivery', () => {
    it('resumes after a drop with epoch and lastSeq, drops duplicates and logs what was replayed', async () => {
      const server = fakeServer();
      const first = await signIn(server);
      expect(first.url).toBe(`ws://${window.location.host}/ws?ticket=ticket-1`);
      first.push({ type: 'welcome', epoch: 'e1', seq: 3, windowId: 'w1' });
      first.push({ type: 'invoice.paid', amount: 12, seq: 4, epoch: 'e1' });
      await settle();
      expect(screen.getAllByTestId('toast').some((t) => t.textContent?.includes('invoice.paid {"amount":12}'))).toBe(true);

      first.drop(1006);
      expect(badge()).toBe('reconnecting');
      await tick(500);
      await settle();
      expect(FakeSocket.all).toHaveLength(2);
      const second = FakeSocket.last();
      expect(second.url).toBe(`ws://${window.location.host}/ws?ticket=ticket-2&epoch=e1&lastSeq=4`);
      second.open();
      second.push({ type: 'invoice.paid', amount: 12, seq: 4, epoch: 'e1' });
      second.push({ type: 'invoice.paid', amount: 13, seq: 5, epoch: 'e1' });
      second.push({ type: 'resumed', from: 5, to: 5, windowId: 'w1' });
      expect(logText()).toContain('dropped a duplicate: seq 4, already processed up to 4');
      expect(logText()).toContain('resumed 1 missed message (5..5)');

      // And the next reconnect resumes from there.
      second.drop(1001);
      expect(logText()).toContain('server going away (1001): reconnecting with jittered backoff, then resuming after seq 5');
      // Second failure in a row: the jittered wait's ceiling doubled to 2 s (half of it here).
      await tick(1000);
      await settle();
      expect(FakeSocket.all).toHaveLength(3);
      expect(FakeSocket.last().url).toBe(`ws://${window.location.host}/ws?ticket=ticket-3&epoch=e1&lastSeq=5`);
    });

    it('on resync refetches the list and the status of every pending command of this window', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      socket.push({ type: 'welcome', epoch: 'e1', seq: 0, windowId: 'w1' });
      await subscribed(socket);
      fireEvent.click(within(item('t1')).getByTestId('todo-toggle'));
      await settle();
      expect(server.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ completed: true, expectedVersion: 1 });
      expect(item('t1').dataset.status).toBe('accepted');

      // The outcome was lost with the server's history.
      server.statuses['cmd-1'] = { commandId: 'cmd-1', entityId: 't1', type: 'update', status: 'succeeded', acceptedAt: '' };
      server.setTodos([todoJson('t1', 'Buy milk', 2, 'alice', true)]);
      const lists = server.count('GET', '/api/todos');
      socket.push({ type: 'resync', epoch: 'e2', seq: 9, windowId: 'w1' });
      await settle();
      expect(server.count('GET', '/api/todos')).toBe(lists + 1);
      expect(server.count('GET', '/api/commands/cmd-1')).toBe(1);
      expect(item('t1').dataset).toMatchObject({ status: 'confirmed', pending: 'false' });
      expect((within(item('t1')).getByTestId('todo-toggle') as HTMLInputElement).checked).toBe(true);
      expect(logText()).toContain('resync (new epoch e2 (history lost)): refetching the list and checking 1 pending command; continuing from seq 9');
    });

    it('checks a command still pending after the configured seconds, and fails it when the server forgot it', async () => {
      const server = fakeServer();
      const socket = await signIn(server);
      await subscribed(socket);
      fireEvent.change(screen.getByTestId('pending-check-seconds'), { target: { value: '3' } });
      fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: 'Buy milk' } });
      fireEvent.click(screen.getByTestId('new-todo-add'));
      await settle();
      const row = screen.getByTestId('todo-item');
      expect(row.dataset.status).toBe('accepted');
      // Keep the socket alive meanwhile: this is about a lost push, not a dead socket.
      for (let i = 0; i < 2; i++) {
        await tick(1000);
        socket.push({ type: 'pong' });
      }
      await tick(999);
      expect(server.count('GET', '/api/commands/cmd-1')).toBe(0);
      await tick(1);
      await settle();
      expect(server.count('GET', '/api/commands/cmd-1')).toBe(1);
      expect(screen.getByTestId('todo-item').dataset).toMatchObject({ status: 'failed', pending: 'false' });
      expect(screen.getByTestId('command-status').textContent).toBe('Failed: The server no longer knows this command (unknown)');
    });

    it('drops the connection on demand, stays offline for the seconds asked, then resumes', async () => {
      const server = fakeServer();
      const first = await signIn(server);
      first.push({ type: 'welcome', epoch: 'e1', seq: 7, windowId: 'w1' });
      fireEvent.change(screen.getByTestId('simulate-drop-seconds'), { target: { value: '4' } });
      fireEvent.click(screen.getByTestId('simulate-drop'));
      expect(first.closedWith).toBe(4001);
      expect(badge()).toBe('offline');
      expect(logText()).toContain('dropping the connection on purpose for 4 s');
      await tick(3999);
      await settle();
      expect(FakeSocket.all).toHaveLength(1);
      await tick(1);
      await settle();
      expect(FakeSocket.all).toHaveLength(2);
      expect(FakeSocket.last().url).toContain('ticket=ticket-2&epoch=e1&lastSeq=7');
      FakeSocket.last().open();
      expect(badge()).toBe('connected');
    });

    it('gives a silent socket up after 6 s, pinging every 2 s meanwhile, and reconnects', async () => {
      const server = fakeServer();
      const first = await signIn(server);
      await tick(5999);
      expect(first.sentOf('ping')).toHaveLength(2);
      expect(first.closedWith).toBeUndefined();
      expect(badge()).toBe('connected');
      await tick(1);
      expect(first.closedWith).toBe(4000);
      expect(badge()).toBe('reconnecting');
      expect(logText()).toContain('dead socket: nothing received for 6 s');
      await tick(500);
      await settle();
      expect(FakeSocket.all).toHaveLength(2);
    });
  });

  describe('collaboration', () => {
    it("shows who's online, who is on which todo and field, and removes markers when they move or leave", async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk'), todoJson('t2', 'Bake bread')]);
      const socket = await signIn(server);
      socket.push({ type: 'welcome', epoch: 'e1', seq: 0, windowId: 'w-a1' });
      await subscribed(socket);
      socket.push({
        type: 'presence.snapshot',
        windows: [
          { windowId: 'w-a1', userId: 'alice', entityId: null, field: null },
          { windowId: 'w-a2', userId: 'alice', entityId: 't1', field: 'text' },
          { windowId: 'w-b1', userId: 'bob', entityId: 't1', field: 'text' },
        ],
      });
      const online = () =>
        screen.getAllByTestId('online-user').map((u) => `${u.dataset.user}:${u.dataset.windows}`);
      expect(online()).toEqual(['alice:2', 'bob:1']);
      expect(screen.getByTestId('online-users').dataset.windowId).toBe('w-a1');
      expect(within(screen.getByTestId('online-users')).getByText('alice (you)')).toBeTruthy();
      // Bob's marker, never alice's own (from her other window).
      const markers = () =>
        [...item('t1').querySelectorAll<HTMLElement>('[data-testid="editing-marker"]')].map((m) => `${m.dataset.user}:${m.dataset.field}`);
      const viewers = (id: string) => [...item(id).querySelectorAll<HTMLElement>('[data-testid="viewer"]')].map((v) => v.dataset.user);
      expect(markers()).toEqual(['bob:text']);
      expect(viewers('t1')).toEqual(['bob']);

      socket.push({ type: 'presence.changed', windowId: 'w-b1', userId: 'bob', entityId: 't2', field: 'completed' });
      expect(markers()).toEqual([]);
      expect(viewers('t1')).toEqual([]);
      expect(viewers('t2')).toEqual(['bob']);
      expect(item('t2').querySelector<HTMLElement>('[data-testid="editing-marker"]')?.dataset.field).toBe('completed');

      socket.push({ type: 'presence.left', windowId: 'w-b1', userId: 'bob' });
      expect(viewers('t2')).toEqual([]);
      expect(online()).toEqual(['alice:2']);

      // Offline, nobody is known to be here; the next snapshot tells again.
      socket.drop(1006);
      expect(screen.queryAllByTestId('online-user')).toEqual([]);
      expect(screen.getByTestId('online-users').dataset.known).toBe('false');
    });

    it('tells the server where this window is, throttled, and again after a reconnect', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);
      await tick(300);
      const presence = () => socket.sentOf('presence').map((m) => `${m.entityId}:${m.field}`);
      expect(presence()).toEqual(['null:null']);

      fireEvent.mouseOver(within(item('t1')).getByTestId('todo-text'));
      expect(presence()).toEqual(['null:null', 't1:null']);
      fireEvent.click(within(item('t1')).getByTestId('todo-edit'));
      expect(document.activeElement).toBe(screen.getByTestId('todo-edit-input'));
      // Within 250 ms of the last one: it waits, then goes.
      expect(presence()).toEqual(['null:null', 't1:null']);
      await tick(250);
      expect(presence()).toEqual(['null:null', 't1:null', 't1:text']);

      fireEvent.keyDown(screen.getByTestId('todo-edit-input'), { key: 'Escape' });
      fireEvent.mouseLeave(item('t1').parentElement!);
      await tick(250);
      // Escape puts focus back on Edit (viewing), then the pointer left: still viewing by focus.
      expect(presence().slice(-1)).toEqual(['t1:null']);

      socket.drop(1006);
      await tick(500);
      await settle();
      const again = FakeSocket.last();
      again.open();
      expect(again.sentOf('presence')).toEqual([{ type: 'presence', entityId: 't1', field: null }]);
    });

    it("shows another user's pending change on the row until it lands, with a neutral toast for the one you look at", async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);
      socket.push({ type: 'todo.pending', entityId: 't1', commandId: 'b-1', by: 'bob' });
      const pending = within(item('t1')).getByTestId('others-pending');
      expect(pending.dataset.user).toBe('bob');
      expect(pending.textContent).toBe('bob: change pending');

      fireEvent.mouseOver(within(item('t1')).getByTestId('todo-text'));
      socket.push({
        type: 'todo.changed',
        entityId: 't1',
        commandId: 'b-1',
        changedBy: 'bob',
        action: 'update',
        data: todoJson('t1', 'Buy oat milk', 2, 'bob'),
      });
      await settle();
      expect(within(item('t1')).queryByTestId('others-pending')).toBeNull();
      expect(within(item('t1')).getByTestId('todo-text').textContent).toBe('Buy oat milk');
      const toast = screen.getAllByTestId('toast').find((t) => t.textContent?.includes('bob renamed'));
      expect(toast?.dataset.kind).toBe('info');
      expect(toast?.textContent).toContain("While you were looking at it, bob renamed 'Buy milk' to 'Buy oat milk'");

      socket.push({ type: 'todo.pending', entityId: 't1', commandId: 'b-2', by: 'bob' });
      socket.push({ type: 'todo.failed', entityId: 't1', commandId: 'b-2', by: 'bob', code: 'processing-failed' });
      expect(within(item('t1')).queryByTestId('others-pending')).toBeNull();
    });

    it('turns a stale change into a conflict with both sides; keep mine resends on the current version', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);

      // alice starts editing at version 1; bob's rename lands meanwhile.
      fireEvent.click(within(item('t1')).getByTestId('todo-edit'));
      socket.push({ type: 'todo.changed', entityId: 't1', commandId: 'b-1', changedBy: 'bob', action: 'update', data: todoJson('t1', 'Buy oat milk', 2, 'bob') });
      expect(item('t1').textContent).toContain("bob changed it meanwhile to 'Buy oat milk'. Saving will show a conflict.");
      fireEvent.change(screen.getByTestId('todo-edit-input'), { target: { value: 'Buy whole milk' } });
      fireEvent.keyDown(screen.getByTestId('todo-edit-input'), { key: 'Enter' });
      await settle();
      const patches = () => server.calls.filter((c) => c.method === 'PATCH').map((c) => c.body);
      expect(patches()).toEqual([{ text: 'Buy whole milk', expectedVersion: 1 }]);

      socket.push({
        type: 'command.failed',
        commandId: 'cmd-1',
        entityId: 't1',
        status: 'failure',
        data: todoJson('t1', 'Buy oat milk', 2, 'bob'),
        error: { code: 'conflict', message: 'expected version 1, found 2' },
      });
      await settle();
      const conflict = within(item('t1')).getByTestId('conflict');
      expect(within(item('t1')).getByTestId('todo-text').textContent).toBe('Buy oat milk');
      expect(within(conflict).getByTestId('conflict-theirs').textContent).toContain("bob's version'Buy oat milk'");
      expect(within(conflict).getByTestId('conflict-mine').textContent).toContain("'Buy whole milk'");
      expect(screen.getAllByTestId('toast').some((t) => t.dataset.kind === 'error' && t.textContent?.includes('Conflict'))).toBe(true);

      fireEvent.click(within(conflict).getByTestId('conflict-keep-mine'));
      await settle();
      expect(patches()).toEqual([
        { text: 'Buy whole milk', expectedVersion: 1 },
        { text: 'Buy whole milk', expectedVersion: 2 },
      ]);
      expect(within(item('t1')).queryByTestId('conflict')).toBeNull();
      socket.push({ type: 'command.succeeded', commandId: 'cmd-2', entityId: 't1', status: 'success', data: todoJson('t1', 'Buy whole milk', 3) });
      expect(item('t1').dataset.status).toBe('confirmed');
      expect(within(item('t1')).getByTestId('todo-text').textContent).toBe('Buy whole milk');
    });

    it('take theirs drops my change and sends nothing', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);
      fireEvent.click(within(item('t1')).getByTestId('todo-delete'));
      await tick(UNDO_DELETE_MS);
      await settle();
      expect(server.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/todos/t1?expectedVersion=1']);
      socket.push({
        type: 'command.failed',
        commandId: 'cmd-1',
        entityId: 't1',
        status: 'failure',
        data: todoJson('t1', 'Buy milk', 2, 'bob', true),
        error: { code: 'conflict', message: 'stale' },
      });
      expect(within(item('t1')).getByTestId('conflict-mine').textContent).toContain('delete it');
      fireEvent.click(within(item('t1')).getByTestId('conflict-take-theirs'));
      await settle();
      expect(within(item('t1')).queryByTestId('conflict')).toBeNull();
      expect((within(item('t1')).getByTestId('todo-toggle') as HTMLInputElement).checked).toBe(true);
      expect(server.calls.filter((c) => c.method === 'DELETE')).toHaveLength(1);
      expect(within(item('t1')).getByTestId('command-status').textContent).toBe('Conflict · took their version');
    });
  });

  describe('never losing the user’s work', () => {
    const commands = (server: Server, method: string) => server.calls.filter((c) => c.method === method);

    it('holds a delete for Undo, ignores a second press, and sends nothing when undone', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);
      fireEvent.click(within(item('t1')).getByTestId('todo-delete'));
      fireEvent.click(within(item('t1')).getByTestId('todo-delete'));
      expect(within(item('t1')).getByTestId('delete-held').textContent).toContain('Deleting in 5.0 s');
      await tick(2000);
      fireEvent.click(within(item('t1')).getByTestId('delete-undo'));
      socket.push({ type: 'pong' }); // the socket stays alive meanwhile
      await tick(UNDO_DELETE_MS);
      await settle();
      expect(commands(server, 'DELETE')).toHaveLength(0);
      expect(within(item('t1')).queryByTestId('delete-held')).toBeNull();

      socket.push({ type: 'pong' });
      fireEvent.click(within(item('t1')).getByTestId('todo-delete'));
      await tick(UNDO_DELETE_MS);
      await settle();
      expect(commands(server, 'DELETE')).toHaveLength(1);
    });

    it('ignores a second toggle while the first is pending', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);
      fireEvent.click(within(item('t1')).getByTestId('todo-toggle'));
      fireEvent.click(within(item('t1')).getByTestId('todo-toggle'));
      await settle();
      fireEvent.click(within(item('t1')).getByTestId('todo-toggle'));
      await settle();
      expect(commands(server, 'PATCH')).toHaveLength(1);
      socket.push({ type: 'command.succeeded', commandId: 'cmd-1', entityId: 't1', status: 'success', data: todoJson('t1', 'Buy milk', 2, 'alice', true) });
      fireEvent.click(within(item('t1')).getByTestId('todo-toggle'));
      await settle();
      expect(commands(server, 'PATCH').map((c) => c.body)).toEqual([
        { completed: true, expectedVersion: 1 },
        { completed: false, expectedVersion: 2 },
      ]);
    });

    it('shows why the server refused an add (its 400 detail), and refuses pasted control characters before sending', async () => {
      const server = fakeServer();
      const socket = await signIn(server);
      await subscribed(socket);
      // pasted text with a bidi override: the form says so, and nothing is sent
      fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: 'Pay \u202Eevil' } });
      fireEvent.click(screen.getByTestId('new-todo-add'));
      await settle();
      expect(screen.getByRole('alert').textContent).toBe('Remove the invisible or control character U+202E (character 5).');
      expect(commands(server, 'POST').filter((c) => c.path === '/api/todos')).toHaveLength(0);
      // whatever the server refuses anyway, the user reads its reason
      server.refuseCommands(1, 'text: must not contain a noncharacter (U+FDD0 at character 3)');
      fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: 'Call mum' } });
      fireEvent.click(screen.getByTestId('new-todo-add'));
      await settle();
      const failed = screen.getByTestId('outbox-item');
      expect(failed.dataset.status).toBe('failed');
      expect(within(failed).getByTestId('command-status').textContent).toBe(
        'Failed: The server refused it: text: must not contain a noncharacter (U+FDD0 at character 3) (http-400)',
      );
    });

    it('keeps a failed add with its text, a plain reason, and a Retry that reuses its Idempotency-Key', async () => {
      const server = fakeServer();
      const socket = await signIn(server);
      await subscribed(socket);
      server.failCommands(1, 400);
      fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: 'Call mum' } });
      fireEvent.click(screen.getByTestId('new-todo-add'));
      await settle();
      const failed = screen.getByTestId('outbox-item');
      expect(failed.dataset.status).toBe('failed');
      expect(within(failed).getByTestId('todo-text').textContent).toBe('Call mum');
      expect(within(failed).getByTestId('command-status').textContent).toBe('Failed: The server refused it (http-400)');
      // still there long after: nothing fades on its own
      await tick(60_000);
      // (the silent fake socket was given up as dead meanwhile: commands wait until it is back)
      FakeSocket.last().open();
      await settle();
      fireEvent.click(within(screen.getByTestId('outbox-item')).getByTestId('command-retry'));
      await settle();
      const posts = commands(server, 'POST').filter((c) => c.path === '/api/todos');
      expect(posts).toHaveLength(2);
      expect(posts[1]!.headers['Idempotency-Key']).toBe(posts[0]!.headers['Idempotency-Key']);
      expect(posts[1]!.body).toEqual(posts[0]!.body);
      // Optimistic: once accepted, the new todo is in the list
      expect(item(failed.dataset.id!).dataset.status).toBe('accepted');
      expect(screen.queryByTestId('outbox-item')).toBeNull();
    });

    it('discards a failed edit and the row shows the server’s value again', async () => {
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk')]);
      const socket = await signIn(server);
      await subscribed(socket);
      fireEvent.click(within(item('t1')).getByTestId('todo-edit'));
      fireEvent.change(within(item('t1')).getByTestId('todo-edit-input'), { target: { value: 'Buy oat milk' } });
      fireEvent.click(within(item('t1')).getByTestId('todo-edit-save'));
      await settle();
      socket.push({
        type: 'command.failed',
        commandId: 'cmd-1',
        entityId: 't1',
        status: 'failure',
        data: null,
        error: { code: 'processing-failed', message: 'Processing failed' },
      });
      expect(item('t1').dataset.status).toBe('failed');
      expect(within(item('t1')).getByTestId('command-copy').getAttribute('aria-label')).toBe("Copy text 'Buy oat milk'");
      // after a 202 the command is new: Retry sends it under a new key
      fireEvent.click(within(item('t1')).getByTestId('command-retry'));
      await settle();
      const patches = commands(server, 'PATCH');
      expect(patches.map((c) => c.body)).toEqual([
        { text: 'Buy oat milk', expectedVersion: 1 },
        { text: 'Buy oat milk', expectedVersion: 1 },
      ]);
      expect(patches[1]!.headers['Idempotency-Key']).not.toBe(patches[0]!.headers['Idempotency-Key']);
      socket.push({
        type: 'command.failed',
        commandId: 'cmd-2',
        entityId: 't1',
        status: 'failure',
        data: null,
        error: { code: 'processing-failed', message: 'Processing failed' },
      });
      fireEvent.click(within(item('t1')).getByTestId('command-discard'));
      expect(item('t1').dataset.status).toBe('idle');
      expect(within(item('t1')).queryByTestId('failed-actions')).toBeNull();
      expect(within(item('t1')).getByTestId('todo-text').textContent).toBe('Buy milk');
    });
  });

  describe('offline', () => {
    const setOnline = (online: boolean) => {
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
      act(() => {
        window.dispatchEvent(new Event(online ? 'online' : 'offline'));
      });
    };
    afterEach(() => setOnline(true));

    it('turns the badge Offline at once, pauses commands without spending attempts, and sends them when back', async () => {
      const server = fakeServer();
      const socket = await signIn(server);
      await subscribed(socket);
      setOnline(false);
      expect(badge()).toBe('offline');
      expect(socket.closedWith).toBe(4002);

      fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: 'Call mum' } });
      fireEvent.click(screen.getByTestId('new-todo-add'));
      await settle();
      const status = () => within(screen.getByTestId('outbox-item')).getByTestId('command-status');
      expect(status().textContent).toBe('Waiting for network · attempt 1 not spent');
      await tick(10 * 60_000);
      expect(server.count('POST', '/api/todos')).toBe(0);

      // online again: the socket comes back first, then the command goes, as attempt 1
      setOnline(true);
      await settle();
      expect(server.count('POST', '/api/todos')).toBe(0);
      FakeSocket.last().open();
      await settle();
      expect(server.count('POST', '/api/todos')).toBe(1);
      expect(badge()).toBe('connected');
      expect(screen.queryByText(/Waiting for network/)).toBeNull();
    });
  });

  describe('reload', () => {
    it('keeps two pending commands across a reload, sends the unanswered one again with its key, and confirms each once by resume', async () => {
      const server = fakeServer();
      const first = await signIn(server);
      first.push({ type: 'welcome', epoch: 'e1', seq: 0, windowId: 'w1' });
      await subscribed(first);
      const add = (text: string) => {
        fireEvent.change(screen.getByTestId('new-todo-text'), { target: { value: text } });
        fireEvent.click(screen.getByTestId('new-todo-add'));
      };
      add('Buy milk');
      await settle();
      server.failCommands(1, 500);
      add('Call mum');
      await settle();
      const posts = () => server.calls.filter((c) => c.method === 'POST' && c.path === '/api/todos');
      expect(posts()).toHaveLength(2);
      const keyOfCallMum = posts()[1]!.headers['Idempotency-Key'];

      // reload: this page goes, a new one starts in the same tab
      cleanup();
      FakeSocket.all = [];
      render(<App />);
      await settle();
      const rowOf = (text: string) =>
        [...document.querySelectorAll<HTMLElement>('[data-testid=todo-item], [data-testid=outbox-item]')].find(
          (e) => within(e).getByTestId('todo-text').textContent === text,
        );
      expect(rowOf('Buy milk')?.dataset.status).toBe('accepted');
      expect(rowOf('Call mum')).toBeDefined();
      // the unanswered one went again, same key, same body; the accepted one did not
      expect(posts()).toHaveLength(3);
      expect(posts()[2]!.headers['Idempotency-Key']).toBe(keyOfCallMum);
      expect(posts()[2]!.body).toEqual(posts()[1]!.body);

      // the socket resumes from the stored cursor; the outcomes come by replay, once each
      const second = FakeSocket.last();
      expect(second.url).toBe(`ws://${window.location.host}/ws?ticket=ticket-2&epoch=e1&lastSeq=0`);
      second.open();
      const milk = rowOf('Buy milk')!.dataset.id!;
      const mum = rowOf('Call mum')!.dataset.id!;
      second.push({ type: 'command.succeeded', commandId: 'cmd-1', entityId: milk, status: 'success', data: todoJson(milk, 'Buy milk'), seq: 1, epoch: 'e1' });
      second.push({ type: 'resumed', from: 1, to: 1, windowId: 'w2' });
      second.push({ type: 'command.succeeded', commandId: 'cmd-2', entityId: mum, status: 'success', data: todoJson(mum, 'Call mum'), seq: 2, epoch: 'e1' });
      second.push({ type: 'command.succeeded', commandId: 'cmd-1', entityId: milk, status: 'success', data: todoJson(milk, 'Buy milk'), seq: 1, epoch: 'e1' });
      await settle();
      expect(item(milk).dataset.status).toBe('confirmed');
      expect(item(mum).dataset.status).toBe('confirmed');
      const confirmed = (text: string) =>
        screen.getAllByTestId('toast').filter((t) => t.textContent?.includes(`Confirmed: added '${text}'`)).length;
      expect(confirmed('Buy milk')).toBe(1);
      expect(confirmed('Call mum')).toBe(1);

      // and a reload now has nothing left to send, and resumes after seq 2
      cleanup();
      FakeSocket.all = [];
      render(<App />);
      await settle();
      expect(posts()).toHaveLength(3);
      expect(FakeSocket.last().url).toContain('&epoch=e1&lastSeq=2');
    });
  });

  describe('layout', () => {
    it('takes the user from a log line about a todo to its row, lit and scrolled into view', async () => {
      const scrolled = vi.fn();
      Element.prototype.scrollIntoView = scrolled;
      const server = fakeServer();
      server.setTodos([todoJson('t1', 'Buy milk'), todoJson('t2', 'Call mum')]);
      const socket = await signIn(server);
      await subscribed(socket);
      socket.push({ type: 'todo.changed', entityId: 't2', commandId: 'b-1', changedBy: 'bob', action: 'update', data: todoJson('t2', 'Call dad', 2, 'bob') });
      socket.push({ type: 'todo.changed', entityId: 't1', commandId: 'b-2', changedBy: 'bob', action: 'delete', data: null });
      await settle();
      expect(item('t2').className).not.toContain('todo--acted');
      const log = screen.getByTestId('log');
      const lines = within(log).getAllByRole('listitem');
      const renamed = lines.find((l) => l.textContent?.includes("bob update 'Call dad'"))!;
      const deleted = lines.find((l) => l.textContent?.includes('bob delete'))!;
      fireEvent.click(within(renamed).getByRole('button', { name: "Show item 'Call dad' in the list" }));
      expect(item('t2').className).toContain('todo--acted');
      expect(scrolled).toHaveBeenCalledTimes(1);
      expect(scrolled.mock.contexts[0]).toBe(item('t2'));
      // the todo bob deleted is gone: its line says so and offers nothing to press
      expect(within(deleted).queryByRole('button')).toBeNull();
      expect(deleted.textContent).toContain('item gone from the list');
      await tick(2000);
      expect(item('t2').className).not.toContain('todo--acted');
    });

    it('shows who made the last chaos change, and why a change was refused', async () => {
      const server = fakeServer();
      const socket = await signIn(server);
      await subscribed(socket);
      const lab = screen.getByTestId('lab');
      expect(within(lab).queryByTestId('chaos-changed-by')).toBeNull();
      socket.push({ type: 'chaos', settings: { ...chaos, maxDelayMs: 5 }, changedBy: 'dave' });
      await settle();
      expect(within(lab).getByTestId('chaos-changed-by').textContent).toBe('Last changed by dave.');

      server.refuseChaos('forbidden');
      fireEvent.click(within(lab).getByTestId('chaos-apply'));
      await settle();
      expect(within(lab).getByRole('status').textContent).toContain('needs the admin role');
    });

    it('keeps the lab controls in one Lab panel, not in the header', async () => {
      const server = fakeServer();
      const socket = await signIn(server);
      await subscribed(socket);
      const lab = screen.getByTestId('lab');
      expect(within(lab).getByTestId('simulate-drop')).toBeTruthy();
      expect(within(lab).getByTestId('chaos-apply')).toBeTruthy();
      expect(within(lab).getByTestId('retry-maxAttempts')).toBeTruthy();
      expect(within(document.querySelector('header.topbar')!).queryByTestId('simulate-drop')).toBeNull();
    });
  });
});
