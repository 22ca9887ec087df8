import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
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
});
