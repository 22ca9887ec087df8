import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { createLogStore } from './logStore';
import { LogTerminal } from './LogTerminal';

describe('the log terminal', () => {
  it('links the lines about a todo in the list to its row, marks those about a todo gone, and leaves the rest alone', () => {
    const store = createLogStore();
    store.append({ channel: 'ws', direction: 'in', level: 'info', summary: 'todo.changed · bob update', detail: '{}', entityId: 't-1' });
    store.append({ channel: 'ws', direction: 'in', level: 'info', summary: 'todo.changed · bob delete', detail: '{}', entityId: 't-2' });
    store.append({ channel: 'ws', direction: 'in', level: 'ok', summary: 'welcome', detail: '{}' });
    const onShowItem = vi.fn();
    render(<LogTerminal store={store} todos={new Map([['t-1', 'Buy milk']])} onShowItem={onShowItem} />);
    const [changed, deleted, welcome] = within(screen.getByTestId('log')).getAllByRole('listitem');
    fireEvent.click(within(changed!).getByRole('button', { name: "Show item 'Buy milk' in the list" }));
    expect(onShowItem).toHaveBeenCalledWith('t-1');
    expect(within(deleted!).queryByRole('button')).toBeNull();
    expect(deleted!.textContent).toContain('item gone from the list');
    expect(within(welcome!).queryByRole('button')).toBeNull();
    expect(welcome!.textContent).not.toContain('item');
  });

  it('shows no links when it is not told about the list', () => {
    const store = createLogStore();
    store.append({ channel: 'ws', direction: 'in', level: 'info', summary: 'todo.changed', detail: '{}', entityId: 't-1' });
    render(<LogTerminal store={store} />);
    expect(within(screen.getByTestId('log')).queryByRole('button')).toBeNull();
  });
});
