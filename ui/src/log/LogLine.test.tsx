import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { LogLine, fullDetail } from './LogLine';

const entry = {
  id: 1,
  at: Date.parse('2026-11-26T14:00:00.000Z'),
  channel: 'ws' as const,
  direction: 'in' as const,
  level: 'info' as const,
  summary: 'command.succeeded · c1',
  detail: '{"type":"command.succeeded","commandId":"c1","data":{"text":"Buy milk"}}',
};

describe('a log line', () => {
  it('opens to its full message as indented JSON from a native, keyboard-operable summary', () => {
    render(
      <ol>
        <LogLine entry={entry} />
      </ol>,
    );
    const details = document.querySelector('details')!;
    const summary = details.querySelector('summary')!;
    // <summary> is focusable and toggles its <details> with Enter and Space in every browser
    expect(summary.textContent).toContain('command.succeeded · c1');
    expect(details.open).toBe(false);
    fireEvent.click(summary);
    expect(details.open).toBe(true);
    expect(screen.getByTestId('log-detail').textContent).toBe(fullDetail(entry.detail));
    expect(fullDetail(entry.detail)).toContain('\n  "data": {\n    "text": "Buy milk"');
  });

  it('keeps a line without detail plain, and a detail that is not JSON as it is', () => {
    render(
      <ol>
        <LogLine entry={{ ...entry, detail: undefined }} />
      </ol>,
    );
    expect(document.querySelector('details')).toBeNull();
    expect(fullDetail('not json')).toBe('not json');
  });

  it('links a line about a todo to its row: a keyboard-reachable button named after the todo', () => {
    const onShowItem = vi.fn();
    render(
      <ol>
        <LogLine entry={{ ...entry, entityId: 't-1' }} todo={{ id: 't-1', text: 'Buy milk' }} onShowItem={onShowItem} />
      </ol>,
    );
    const button = screen.getByRole('button', { name: "Show item 'Buy milk' in the list" });
    // A native, enabled button in the tab order (Enter and Space press it), outside the <summary>,
    // so pressing it neither opens the line nor is swallowed by it.
    expect(button.tagName).toBe('BUTTON');
    expect(button.getAttribute('type')).toBe('button');
    expect((button as HTMLButtonElement).disabled).toBe(false);
    expect(button.tabIndex).toBe(0);
    expect(button.closest('summary')).toBeNull();
    button.focus();
    expect(document.activeElement).toBe(button);
    fireEvent.click(button);
    expect(onShowItem).toHaveBeenCalledWith('t-1');
    expect(document.querySelector('details')!.open).toBe(false);
  });

  it('links a plain line too, and shows no link on a line about no todo', () => {
    const onShowItem = vi.fn();
    render(
      <ol>
        <LogLine entry={{ ...entry, id: 2, detail: undefined, entityId: 't-2' }} todo={{ id: 't-2', text: 'Call mum' }} onShowItem={onShowItem} />
        <LogLine entry={{ ...entry, id: 3 }} onShowItem={onShowItem} />
      </ol>,
    );
    expect(screen.getAllByRole('button')).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: "Show item 'Call mum' in the list" }));
    expect(onShowItem).toHaveBeenCalledWith('t-2');
    expect(screen.getAllByRole('listitem')[1]!.textContent).not.toContain('item');
  });

  it('says when the todo is gone, with nothing to press', () => {
    const onShowItem = vi.fn();
    render(
      <ol>
        <LogLine entry={{ ...entry, entityId: 't-9' }} todo={{ id: 't-9', text: null }} onShowItem={onShowItem} />
      </ol>,
    );
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.getByRole('listitem').textContent).toContain('item gone from the list');
  });
});
