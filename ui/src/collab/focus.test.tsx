import { fireEvent, render } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { locate, resolveFocus, useFocusTracking } from './focus';
import type { Focus } from './presenceSender';

describe('resolveFocus', () => {
  it('prefers a field, then the row under the pointer, then the focused row', () => {
    expect(resolveFocus({ focused: null, hovered: null })).toEqual({ entityId: null, field: null });
    expect(resolveFocus({ focused: { entityId: 'a', field: null }, hovered: null })).toEqual({ entityId: 'a', field: null });
    expect(resolveFocus({ focused: { entityId: 'a', field: null }, hovered: 'b' })).toEqual({ entityId: 'b', field: null });
    expect(resolveFocus({ focused: { entityId: 'a', field: 'text' }, hovered: 'b' })).toEqual({ entityId: 'a', field: 'text' });
  });
});

function List({ onChange }: { onChange: (f: Focus) => void }) {
  const handlers = useFocusTracking(onChange);
  return (
    <ul {...handlers}>
      <li data-presence-id="a">
        <input data-testid="a-box" type="checkbox" data-presence-field="completed" />
        <input data-testid="a-text" data-presence-field="text" />
        <button data-testid="a-edit">Edit</button>
      </li>
      <li data-testid="b" data-presence-id="b">
        <span data-testid="b-text">b</span>
      </li>
      <li data-testid="ghost">
        <button data-testid="ghost-edit">Edit</button>
      </li>
    </ul>
  );
}

describe('useFocusTracking', () => {
  it('reads the row and field from the DOM and reports each change once', () => {
    const onChange = vi.fn<(f: Focus) => void>();
    const { getByTestId } = render(<List onChange={onChange} />);
    const seen = () => onChange.mock.calls.map(([f]) => (f.entityId ? `${f.entityId}${f.field ? `:${f.field}` : ''}` : null));

    (getByTestId('a-text') as HTMLInputElement).focus();
    (getByTestId('a-box') as HTMLInputElement).focus();
    (getByTestId('a-edit') as HTMLButtonElement).focus();
    fireEvent.mouseOver(getByTestId('b-text'));
    fireEvent.mouseOver(getByTestId('b'));
    fireEvent.mouseLeave(getByTestId('b').parentElement!);
    (getByTestId('ghost-edit') as HTMLButtonElement).focus();
    (getByTestId('ghost-edit') as HTMLButtonElement).blur();
    expect(seen()).toEqual(['a:text', 'a:completed', 'a', 'b', 'a', null]);
  });

  it('locates nothing outside a known row', () => {
    expect(locate(null)).toBeNull();
    expect(locate(document.body)).toBeNull();
  });
});
