/**
 * Where this window's focus is in the list, for presence: the todo it looks at and the field it is
 * in. Read from the DOM by delegation on the list, so rows only mark themselves up:
 * `data-presence-id` on a row the server knows, `data-presence-field` on its text input and its
 * checkbox.
 *
 * - keyboard focus in a field (editing the text, on the checkbox): that todo and that field,
 * - otherwise the row under the pointer (viewing it),
 * - otherwise the row holding keyboard focus (viewing it),
 * - otherwise nothing.
 */
import { useCallback, useEffect, useRef, type FocusEvent, type MouseEvent } from 'react';
import type { PresenceField } from '../socket/protocol';
import { NO_FOCUS, sameFocus, type Focus } from './presenceSender';

export interface FocusInputs {
  /** The row (and field) holding keyboard focus. */
  focused: { entityId: string; field: PresenceField | null } | null;
  /** The row under the pointer. */
  hovered: string | null;
}

export function resolveFocus({ focused, hovered }: FocusInputs): Focus {
  if (focused?.field) return { entityId: focused.entityId, field: focused.field };
  if (hovered) return { entityId: hovered, field: null };
  if (focused) return { entityId: focused.entityId, field: null };
  return NO_FOCUS;
}

function readField(value: string | undefined): PresenceField | null {
  return value === 'text' || value === 'completed' ? value : null;
}

/** The row and field an element belongs to, if it is inside a row the server knows. */
export function locate(target: EventTarget | null): { entityId: string; field: PresenceField | null } | null {
  if (!(target instanceof Element)) return null;
  const row = target.closest<HTMLElement>('[data-presence-id]');
  const entityId = row?.dataset.presenceId;
  if (!row || !entityId) return null;
  const fieldElement = target.closest<HTMLElement>('[data-presence-field]');
  const field = fieldElement && row.contains(fieldElement) ? readField(fieldElement.dataset.presenceField) : null;
  return { entityId, field };
}

export interface FocusHandlers {
  onFocus: (event: FocusEvent) => void;
  onBlur: (event: FocusEvent) => void;
  onMouseOver: (event: MouseEvent) => void;
  onMouseLeave: (event: MouseEvent) => void;
}

/** Handlers for the list element; `onChange` hears every change of the resolved focus. */
export function useFocusTracking(onChange: (focus: Focus) => void): FocusHandlers {
  const inputs = useRef<FocusInputs>({ focused: null, hovered: null });
  const last = useRef<Focus>(NO_FOCUS);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });

  const update = useCallback((next: Partial<FocusInputs>) => {
    inputs.current = { ...inputs.current, ...next };
    const focus = resolveFocus(inputs.current);
    if (sameFocus(focus, last.current)) return;
    last.current = focus;
    onChangeRef.current(focus);
  }, []);

  return {
    onFocus: useCallback((event: FocusEvent) => update({ focused: locate(event.target) }), [update]),
    onBlur: useCallback(
      (event: FocusEvent) => {
        // Focus moving to another element of the list is reported by its own focus event.
        const next = event.relatedTarget;
        if (!(next instanceof Node) || !(event.currentTarget as Node).contains(next)) update({ focused: null });
      },
      [update],
    ),
    onMouseOver: useCallback((event: MouseEvent) => update({ hovered: locate(event.target)?.entityId ?? null }), [update]),
    onMouseLeave: useCallback(() => update({ hovered: null }), [update]),
  };
}
