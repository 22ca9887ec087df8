import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { CommandEntry } from '../commands/commandReducer';
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
};

function setup(r: RowView = row) {
  const handlers = { onToggle: vi.fn(), onRename: vi.fn(), onDelete: vi.fn() };
  render(
    <ul>
      <TodoItem row={r} {...handlers} />
    </ul>,
  );
  return handlers;
}

const entry = (over: Partial<CommandEntry>): CommandEntry => ({
  key: 'k',
  kind: 'update',
  entityId: 'a1',
  patch: { completed: true },
  label: 'Buy milk',
  origin: 'local',
  phase: 'sending',
  attempt: 1,
  nextAttemptAt: null,
  retryReason: null,
  commandId: null,
  error: null,
  rolledBack: false,
  dismissed: false,
  issuedAt: 0,
  acceptedAt: null,
  settledAt: null,
  ...over,
});

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
    expect(h.onRename).toHaveBeenCalledWith(row, 'Buy oat milk');
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
    expect(screen.getByTestId('command-status').textContent).toBe('Failed: Processing failed (processing-failed)');
    expect(screen.getByText('Rolled back')).toBeTruthy();
  });

  it('locks a rolled-back create that is fading out', () => {
    setup({ ...row, ghost: true, rolledBack: true, status: 'failed', latest: entry({ kind: 'create', phase: 'failed', rolledBack: true }) });
    expect((screen.getByTestId('todo-toggle') as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByTestId('todo-edit') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('todo-delete') as HTMLButtonElement).disabled).toBe(true);
  });
});
