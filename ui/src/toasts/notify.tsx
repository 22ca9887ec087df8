/**
 * Toasts, through sonner, with our own markup inside (colour by kind, stable test ids). Screen
 * readers hear notices from the {@link Announcer}'s live regions (own failures assertively, the
 * rest politely), so the toast's text is hidden from them to avoid hearing it twice.
 */
import { toast } from 'sonner';
import type { Notice, NoticeKind } from '../commands/notices';
import { announcer } from './announcer';

const DURATION: Record<NoticeKind, number> = { success: 4000, info: 5000, error: 9000 };
const ICON: Record<NoticeKind, string> = { success: '✓', info: 'i', error: '!' };

export function ToastView({ id, kind, text }: { id: string | number; kind: NoticeKind; text: string }) {
  return (
    <div className={`toast toast--${kind}`} data-testid="toast" data-kind={kind}>
      <span className="toast__icon" aria-hidden="true">
        {ICON[kind]}
      </span>
      <p className="toast__text" aria-hidden="true">
        {text}
      </p>
      <button type="button" className="toast__close" aria-label="Dismiss notification" onClick={() => toast.dismiss(id)}>
        ×
      </button>
    </div>
  );
}

/** Shows a notice; the same id again replaces the toast instead of adding one. */
export function showNotice(notice: Notice): void {
  announcer.record(notice);
  toast.custom((id) => <ToastView id={id} kind={notice.kind} text={notice.text} />, {
    id: notice.id,
    duration: DURATION[notice.kind],
  });
}
