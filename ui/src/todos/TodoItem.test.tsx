import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { TodoPresence } from '../collab/presence';
import { newEntry, type CommandEntry } from '../commands/commandReducer';
import type { RowView } from '../commands/selectView';
import { TodoItem } from './TodoItem';

const row: RowView = {
  id: 'a1',
  todo: { id: 'a1', text: 'Buy milk', completed: false, version: 2, updatedBy: 'bob', updatedAt: '' },
  status: 'idle',
  pending: false,
  latest: null,
  rolledBack: false,
  ghost: false,
  confirmed: null,
  expectedVersion: 2,
  othersPending: [],
  conflict: null,
  heldUntil: null,
};

function setup(r: RowView = row, presence?: TodoPresence, acted?: number) {
  const handlers = { onToggle: vi.fn(), onRename: vi.fn(), onDelete: vi.fn(), onResolveConflict: vi.fn() };
  const view = (next: RowView, nextActed: number | undefined) => (
    <ul>
      <TodoItem row={next} me="alice" presence={presence} acted={nextActed} {...handlers} />
    </ul>
  );
  const { rerender } = render(view(r, acted));
  // A second argument, even undefined, replaces `acted`.
  const again = (next: RowView, ...change: [acted?: number]) => rerender(view(next, change.length > 0 ? change[0] : acted));
  return { ...handlers, rerender: again };
}

const entry = (over: Partial<CommandEntry>): CommandEntry =>
  newEntry({ key: 'k', kind: 'update', entityId: 'a1', patch: { completed: true }, label: 'Buy milk', expectedVersion: 2, ...over });

describe('TodoItem', () => {
  it('carries the selectors the browser test relies on', () => {
    setup({ ...row, status: 'accepted', pending: true, latest: entry({ phase: 'accepted', commandId: 'c' }) });
    const item = screen.getByTestId('todo-item');
    expect(item.dataset).toMatchObject({ id: 'a1', status: 'accepted', pending: 'true' });
    expect(screen.getByTestId('todo-text').textContent).toBe('Buy milk');
    expect(screen.getByTestId('command-status').textContent).toBe('Accepted (202) · waiting for the server');
  });

  it('toggles and deletes through labelled controls', () => {
    const h = setup();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Done: Buy milk' }));
    expect(h.onToggle).toHaveBeenCalledWith(row);
    fireEvent.click(screen.getByRole('button', { name: "Delete 'Buy milk'" }));
    expect(h.onDelete).toHaveBeenCalledWith(row);
  });

  it('saves an edit with Enter, trimmed, and puts focus back on Edit', () => {
    const h = setup();
    fireEvent.click(screen.getByTestId('todo-edit'));
    const input = screen.getByTestId('todo-edit-input') as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: '  Buy oat milk ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    // The version the edit started from goes along: a change meanwhile makes the save conflict.
    expect(h.onRename).toHaveBeenCalledWith(row, 'Buy oat milk', 2);
    expect(screen.queryByTestId('todo-edit-input')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('todo-edit'));
  });

  it('cancels an edit with Escape and sends nothing', () => {
    const h = setup();
    fireEvent.click(screen.getByTestId('todo-edit'));
    const input = screen.getByTestId('todo-edit-input');
    fireEvent.change(input, { target: { value: 'Something else' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(h.onRename).not.toHaveBeenCalled();
    expect(screen.getByTestId('todo-text').textContent).toBe('Buy milk');
  });

  it('keeps the draft when the field loses focus (another window, a click elsewhere)', () => {
    const h = setup();
    fireEvent.click(screen.getByTestId('todo-edit'));
    const input = screen.getByTestId('todo-edit-input') as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'Buy oat milk' } });
    fireEvent.blur(input);
    fireEvent.click(document.body);
    expect((screen.getByTestId('todo-edit-input') as HTMLInputElement).value).toBe('Buy oat milk');
    expect(h.onRename).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('todo-edit-save'));
    expect(h.onRename).toHaveBeenCalledWith(row, 'Buy oat milk', 2);
  });

  it('keeps the draft while the row re-renders with someone else’s change', () => {
    const h = setup();
    fireEvent.click(screen.getByTestId('todo-edit'));
    fireEvent.change(screen.getByTestId('todo-edit-input'), { target: { value: 'Mine' } });
    h.rerender({ ...row, todo: { ...row.todo, text: 'Theirs', version: 3 } });
    expect((screen.getByTestId('todo-edit-input') as HTMLInputElement).value).toBe('Mine');
  });

  it('cancels with the Cancel button and sends nothing', () => {
    const h = setup();
    fireEvent.click(screen.getByTestId('todo-edit'));
    fireEvent.change(screen.getByTestId('todo-edit-input'), { target: { value: 'Something else' } });
    fireEvent.click(screen.getByTestId('todo-edit-cancel'));
    expect(h.onRename).not.toHaveBeenCalled();
    expect(screen.queryByTestId('todo-edit-input')).toBeNull();
    expect(screen.getByTestId('todo-text').textContent).toBe('Buy milk');
  });

  it('scrolls the row the user acted on into view and lights it up', () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    setup(row, undefined, 1);
    expect(scrolled).toHaveBeenCalledWith({ block: 'nearest', behavior: 'smooth' });
    expect(screen.getByTestId('todo-item').className).toContain('todo--acted');
  });

  it('scrolls to the row again when the user acts on it again while it is lit, and not without an act', () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    const h = setup(row, undefined, 1);
    h.rerender({ ...row, todo: { ...row.todo, text: 'Buy oat milk' } });
    expect(scrolled).toHaveBeenCalledTimes(1);
    h.rerender(row, 2);
    expect(scrolled).toHaveBeenCalledTimes(2);
    h.rerender(row, undefined);
    expect(screen.getByTestId('todo-item').className).not.toContain('todo--acted');
  });

  it('refuses an empty text and says why', () => {
    const h = setup();
    fireEvent.click(screen.getByTestId('todo-edit'));
    const input = screen.getByTestId('todo-edit-input');
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(h.onRename).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('Write something first.');
  });

  it('shows a retry countdown and a rollback', () => {
    setup({
      ...row,
      status: 'failed',
      rolledBack: true,
      latest: entry({ phase: 'failed', commandId: 'c', rolledBack: true, error: { code: 'processing-failed', message: 'Processing failed' } }),
    });
    expect(screen.getByTestId('command-status').textContent).toBe('Failed: The server could not carry it out (processing-failed)');
    expect(screen.getByText('Rolled back')).toBeTruthy();
  });

  it('locks a rolled-back create that is fading out', () => {
    setup({ ...row, ghost: true, rolledBack: true, status: 'failed', latest: entry({ kind: 'create', phase: 'failed', rolledBack: true }) });
    expect((screen.getByTestId('todo-toggle') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId('todo-edit') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('todo-delete') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows who else is here, and who is in which field, with the selectors the browser test uses', () => {
    setup(row, {
      viewers: ['bob', 'carol'],
      editors: [
        { userId: 'bob', field: 'text' },
        { userId: 'carol', field: 'completed' },
      ],
    });
    expect(screen.getAllByTestId('viewer').map((v) => v.dataset.user)).toEqual(['bob', 'carol']);
    const markers = screen.getAllByTestId('editing-marker');
    expect(markers.map((m) => [m.dataset.user, m.dataset.field, m.textContent])).toEqual([
      ['bob', 'text', 'bob is editing'],
      ['carol', 'completed', 'carol is on the checkbox'],
    ]);
  });

  it('marks itself and its fields for presence, once the server knows it', () => {
    setup({ ...row, confirmed: row.todo });
    expect(screen.getByTestId('todo-item').dataset.presenceId).toBe('a1');
    expect(screen.getByTestId('todo-toggle').dataset.presenceField).toBe('completed');
    fireEvent.click(screen.getByTestId('todo-edit'));
    expect(screen.getByTestId('todo-edit-input').dataset.presenceField).toBe('text');
  });

  it('shows another user’s pending change', () => {
    setup({ ...row, othersPending: [{ commandId: 'c1', by: 'bob' }, { commandId: 'c2', by: 'bob' }] });
    const chips = screen.getAllByTestId('others-pending');
    expect(chips.map((c) => [c.dataset.user, c.textContent])).toEqual([['bob', 'bob: change pending']]);
  });

  it('shows both sides of a conflict and hands the choice on', () => {
    const theirs = { ...row.todo, text: 'Buy oat milk', version: 3, updatedBy: 'bob' };
    const failed = entry({
      phase: 'failed',
      commandId: 'c',
      patch: { text: 'Buy whole milk' },
      error: { code: 'conflict', message: 'stale' },
      conflict: { theirs },
    });
    const conflicted: RowView = { ...row, todo: theirs, confirmed: theirs, status: 'failed', latest: failed, conflict: { entry: failed, theirs } };
    const h = setup(conflicted);
    expect(screen.getByTestId('todo-text').textContent).toBe('Buy oat milk');
    expect(screen.getByTestId('conflict-theirs').textContent).toBe("bob's version'Buy oat milk' · not done");
    expect(screen.getByTestId('conflict-mine').textContent).toBe("Your change'Buy whole milk'");
    expect(screen.getByTestId('command-status').textContent).toBe('Conflict · keep yours or take theirs');
    fireEvent.click(screen.getByTestId('conflict-keep-mine'));
    expect(h.onResolveConflict).toHaveBeenLastCalledWith(conflicted, 'mine');
    fireEvent.click(screen.getByTestId('conflict-take-theirs'));
    expect(h.onResolveConflict).toHaveBeenLastCalledWith(conflicted, 'theirs');
  });

  it('warns while editing when someone else changed the todo, and saves with the version the edit began on', () => {
    const h = setup({ ...row, confirmed: row.todo });
    fireEvent.click(screen.getByTestId('todo-edit'));
    const input = screen.getByTestId('todo-edit-input');
    fireEvent.change(input, { target: { value: 'Buy whole milk' } });
    expect(screen.queryByText(/changed it meanwhile/)).toBeNull();
    const bobs = { ...row.todo, text: 'Buy oat milk', version: 3, updatedBy: 'bob' };
    h.rerender({ ...row, todo: bobs, confirmed: bobs, expectedVersion: 3 });
    expect(screen.getByText(/changed it meanwhile/).textContent).toBe("bob changed it meanwhile to 'Buy oat milk'. Saving will show a conflict.");
    expect((screen.getByTestId('todo-edit-input') as HTMLInputElement).value).toBe('Buy whole milk');
    fireEvent.keyDown(screen.getByTestId('todo-edit-input'), { key: 'Enter' });
    expect(h.onRename).toHaveBeenCalledWith(expect.objectContaining({ id: 'a1' }), 'Buy whole milk', 2);
  });
});
