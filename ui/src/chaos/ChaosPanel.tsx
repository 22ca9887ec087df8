/**
 * The Lab: every control of the demo in one place. The connection drop (when given), the
 * simulated trouble changed live (PUT /api/chaos), and this window's own retry policy.
 */
import { useEffect, useId, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { PolicyStore, ValueStore } from '../app/services';
import type { Api } from '../api/endpoints';
import { RequestError, describeFailure, toRequestError } from '../api/retryPolicy';
import { CHAOS_FIELDS, type ChaosField, type ChaosSettings } from '../api/types';
import { DropControl } from '../connection/ConnectionBadge';
import { FIELD_INFO, PRESETS, parseForm, sameSettings, toForm, type ChaosErrors, type ChaosForm } from './chaosForm';

interface Props {
  api: Api;
  /** The latest settings pushed by the server (`chaos` on the stats topic). */
  pushed: ChaosSettings | null;
  /** Who made the latest pushed change (its `changedBy`), when known. */
  pushedBy?: string | null;
  policy: PolicyStore;
  /** Milliseconds an accepted command may go without outcome before its status is checked. */
  pendingCheck?: ValueStore<number>;
  /** Drops this window's socket on purpose for `ms`. */
  onDrop?: (ms: number) => void;
  /** Whether the socket is away on purpose now. */
  suspended?: boolean;
}

type Status =
  | { kind: 'loading' }
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'forbidden'; needsRole: boolean }
  | { kind: 'error'; message: string };

export function ChaosPanel({ api, pushed, pushedBy = null, policy, pendingCheck, onDrop, suspended = false }: Props) {
  const [server, setServer] = useState<ChaosSettings | null>(null);
  const [form, setForm] = useState<ChaosForm | null>(null);
  const [dirty, setDirty] = useState(false);
  const [errors, setErrors] = useState<ChaosErrors>({});
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  const statusId = useId();

  useEffect(() => {
    let cancelled = false;
    api.getChaos().then(
      (settings) => {
        if (cancelled) return;
        setServer(settings);
        setForm(toForm(settings));
        setStatus({ kind: 'idle' });
      },
      (error: unknown) => {
        if (!cancelled) setStatus({ kind: 'error', message: describeFailure(toRequestError(error)) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  // A change made elsewhere (another window, another user) shows up here unless we are editing:
  // adjusted while rendering, when a new push arrives (not on our own edits).
  const [seenPush, setSeenPush] = useState(pushed);
  if (pushed !== seenPush) {
    setSeenPush(pushed);
    if (pushed) {
      setServer(pushed);
      if (dirty) {
        setChangedElsewhere(true);
      } else {
        setForm(toForm(pushed));
        setErrors({});
        setStatus((s) => (s.kind === 'loading' || s.kind === 'error' ? { kind: 'idle' } : s));
      }
    }
  }

  const edit = (next: ChaosForm) => {
    setForm(next);
    setDirty(true);
    setErrors({});
    if (status.kind === 'saved') setStatus({ kind: 'idle' });
  };

  const apply = async (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    const parsed = parseForm(form);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setStatus({ kind: 'saving' });
    try {
      const saved = await api.putChaos(parsed.settings);
      setServer(saved);
      setForm(toForm(saved));
      setDirty(false);
      setChangedElsewhere(false);
      setStatus({ kind: 'saved' });
    } catch (error) {
      const failure = toRequestError(error);
      if (failure instanceof RequestError && failure.status === 403) {
        // `chaos-locked`: off on this server; `forbidden`: not for this user (a role is missing)
        setStatus({ kind: 'forbidden', needsRole: failure.problem?.type === 'urn:edf:problem:forbidden' });
        return;
      }
      const fieldErrors: ChaosErrors = {};
      for (const e of failure.problem?.errors ?? []) {
        if ((CHAOS_FIELDS as readonly string[]).includes(e.field)) fieldErrors[e.field as ChaosField] = e.message;
      }
      const field = failure.problem?.field;
      if (field && (CHAOS_FIELDS as readonly string[]).includes(field)) {
        fieldErrors[field as ChaosField] ??= failure.problem?.detail ?? 'Invalid';
      }
      setErrors(fieldErrors);
      setStatus({ kind: 'error', message: describeFailure(failure) });
    }
  };

  const reset = () => {
    if (!server) return;
    setForm(toForm(server));
    setDirty(false);
    setChangedElsewhere(false);
    setErrors({});
  };

  const locked = status.kind === 'forbidden';
  const differs = form !== null && server !== null && (() => {
    const parsed = parseForm(form);
    return !parsed.ok || !sameSettings(parsed.settings, server);
  })();

  return (
    <section className="panel panel--chaos panel--lab" aria-labelledby="lab-title" data-testid="lab">
      <header className="panel__header">
        <h2 id="lab-title" className="panel__title">
          Lab
        </h2>
        <span className="panel__aside">trouble on purpose, to watch the app cope</span>
      </header>
      {onDrop && (
        <div className="lab__row">
          <h3 className="lab__heading">This window's connection</h3>
          <DropControl suspended={suspended} onDrop={onDrop} />
        </div>
      )}
      <h3 className="lab__heading" id="chaos-title">
        Chaos <span className="lab__aside">the trouble the server simulates, for everyone</span>
      </h3>
      {form ? (
        <form className="chaos" onSubmit={apply} noValidate aria-describedby={statusId}>
          <div className="chaos__presets" role="group" aria-label="Presets">
            {PRESETS.map((preset) => (
              <button
                key={preset.id}
                type="button"
                className="button button--small"
                disabled={locked}
                onClick={() => edit(toForm(preset.settings))}
              >
                {preset.label}
              </button>
            ))}
          </div>
          <div className="chaos__grid">
            {CHAOS_FIELDS.map((field) => (
              <ChaosInput
                key={field}
                field={field}
                value={form[field]}
                error={errors[field]}
                disabled={locked}
                onChange={(value) => edit({ ...form, [field]: value })}
              />
            ))}
          </div>
          <div className="chaos__actions">
            <button type="submit" className="button button--primary" data-testid="chaos-apply" disabled={locked || status.kind === 'saving'}>
              {status.kind === 'saving' ? 'Applying…' : 'Apply'}
            </button>
            <button type="button" className="button button--ghost" onClick={reset} disabled={!dirty}>
              Reset
            </button>
            <p className="chaos__status" id={statusId} role="status">
              {status.kind === 'saved' && 'Applied. Every window sees the new settings.'}
              {status.kind === 'forbidden' &&
                (status.needsRole
                  ? 'You may not change the chaos settings on this server (it needs the admin role).'
                  : 'This server does not allow changing the chaos settings.')}
              {status.kind === 'error' && `Not applied: ${status.message}`}
              {status.kind === 'idle' && dirty && differs && 'Edited, not applied yet.'}
            </p>
            {pushedBy && (
              <p className="hint" data-testid="chaos-changed-by">
                Last changed by {pushedBy}.
              </p>
            )}
            {changedElsewhere && dirty && (
              <p className="hint hint--warn">
                Someone changed the settings meanwhile.{' '}
                <button type="button" className="link-button" onClick={reset}>
                  Load theirs
                </button>
              </p>
            )}
          </div>
        </form>
      ) : status.kind === 'error' ? (
        <p className="notice notice--error">Could not read the settings: {status.message}</p>
      ) : (
        <p className="hint">Loading the settings…</p>
      )}
      <RetrySettings policy={policy} pendingCheck={pendingCheck} />
    </section>
  );
}

function ChaosInput({
  field,
  value,
  error,
  disabled,
  onChange,
}: {
  field: ChaosField;
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const info = FIELD_INFO[field];
  return (
    <div className={`field field--${info.kind} ${error ? 'field--invalid' : ''}`}>
      <label htmlFor={id} className="field__label">
        {info.label}
      </label>
      <input
        id={id}
        className="field__input"
        data-testid={`chaos-${field}`}
        type="number"
        inputMode={info.kind === 'rate' ? 'decimal' : 'numeric'}
        min={0}
        max={info.kind === 'rate' ? 1 : undefined}
        step={info.kind === 'rate' ? 0.01 : 50}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error !== undefined}
        aria-describedby={`${id}-hint`}
        title={info.hint}
      />
      <span className={error ? 'field-error' : 'field__hint'} id={`${id}-hint`}>
        {error ?? info.hint}
      </span>
    </div>
  );
}

/**
 * This window's client-side retry policy: how many attempts, and how long each may take; and how
 * long an accepted command may wait for its outcome before the window asks for its status.
 */
function RetrySettings({ policy, pendingCheck }: { policy: PolicyStore; pendingCheck: ValueStore<number> | undefined }) {
  const current = useSyncExternalStore(policy.subscribe, policy.get);
  const attemptsId = useId();
  const timeoutId = useId();
  return (
    <fieldset className="retry">
      <legend className="retry__legend">This window's retries</legend>
      <div className="retry__grid">
        <div className="field">
          <label htmlFor={attemptsId} className="field__label">
            Max attempts
          </label>
          <input
            id={attemptsId}
            className="field__input"
            data-testid="retry-maxAttempts"
            type="number"
            min={1}
            max={20}
            value={current.maxAttempts}
            onChange={(e) => {
              const n = Math.round(Number(e.target.value));
              if (n >= 1 && n <= 20) policy.set({ ...current, maxAttempts: n });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor={timeoutId} className="field__label">
            Timeout per attempt (s)
          </label>
          <input
            id={timeoutId}
            className="field__input"
            data-testid="retry-timeoutSeconds"
            type="number"
            min={1}
            max={120}
            value={current.timeoutMs / 1000}
            onChange={(e) => {
              const s = Number(e.target.value);
              if (s >= 1 && s <= 120) policy.set({ ...current, timeoutMs: Math.round(s * 1000) });
            }}
          />
        </div>
        {pendingCheck && <PendingCheckInput store={pendingCheck} />}
      </div>
      <p className="hint">
        Backoff: random wait up to {current.baseDelayMs / 1000} s, doubling per retry, capped at {current.maxDelayMs / 1000} s.
        Only network errors, timeouts and 5xx are retried.
      </p>
    </fieldset>
  );
}

/** Whole or fractional seconds in [1, 600], or null. */
function parseCheckSeconds(text: string): number | null {
  const s = Number(text);
  return text.trim() !== '' && Number.isFinite(s) && s >= 1 && s <= 600 ? s : null;
}

/**
 * Seconds without outcome after which an accepted command is looked up at its status URL. The
 * field is uncontrolled, so a re-render never undoes what is being typed into it.
 */
function PendingCheckInput({ store }: { store: ValueStore<number> }) {
  const [initial] = useState(() => String(store.get() / 1000));
  const [valid, setValid] = useState(true);
  const id = useId();
  return (
    <div className={`field ${valid ? '' : 'field--invalid'}`}>
      <label htmlFor={id} className="field__label">
        Check pending after (s)
      </label>
      <input
        id={id}
        className="field__input"
        data-testid="pending-check-seconds"
        type="number"
        min={1}
        max={600}
        defaultValue={initial}
        aria-invalid={!valid}
        title="An accepted command with no outcome after this long is looked up at GET /api/commands/{id}"
        onChange={(e) => {
          const s = parseCheckSeconds(e.target.value);
          setValid(s !== null);
          if (s !== null) store.set(Math.round(s * 1000));
        }}
      />
    </div>
  );
}
