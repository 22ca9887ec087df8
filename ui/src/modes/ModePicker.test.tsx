import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ModePicker } from './ModePicker';
import { MODES } from './modes';

describe('ModePicker', () => {
  it('offers the three modes, each described by its sentence, and reports a choice', () => {
    const onChange = vi.fn();
    render(<ModePicker mode="optimistic" onChange={onChange} />);
    for (const info of MODES) {
      const radio = screen.getByRole('radio', { name: new RegExp(info.label) });
      expect(radio.getAttribute('aria-describedby')).toBe(`mode-${info.id}-explained`);
      expect(document.getElementById(`mode-${info.id}-explained`)?.textContent).toBe(info.explanation);
    }
    expect((screen.getByTestId('mode-optimistic') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByTestId('mode-brave'));
    expect(onChange).toHaveBeenCalledWith('brave');
  });

  it('puts the chosen mode’s sentence on its own line, for the compact phone layout', () => {
    const { rerender } = render(<ModePicker mode="safe" onChange={() => {}} />);
    expect(screen.getByTestId('mode-current').textContent).toBe(MODES[0]!.explanation);
    rerender(<ModePicker mode="brave" onChange={() => {}} />);
    expect(screen.getByTestId('mode-current').textContent).toBe(MODES[2]!.explanation);
  });
});
