/** Demo sign-in: pick a name; the same name in another window is the same user. */
import { useId, useState, type FormEvent } from 'react';
import { userIdProblem } from './session';

interface Props {
  initialUser: string;
  busy: boolean;
  error: string | null;
  onSignIn: (userId: string) => void;
}

export function SignIn({ initialUser, busy, error, onSignIn }: Props) {
  const [userId, setUserId] = useState(initialUser);
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const messageId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = userId.trim();
    const why = userIdProblem(trimmed);
    setProblem(why);
    if (!why) onSignIn(trimmed);
  };

  const message = problem ?? error;
  return (
    <main className="signin">
      <div className="signin__card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true">
            ◆
          </span>
          <div>
            <h1 className="brand__name">Eventually</h1>
            <p className="brand__tagline">A todo list that shows eventual consistency at work</p>
          </div>
        </div>
        <p className="signin__intro">
          Every change is a command: the server answers <strong>202 Accepted</strong> at once, works on it a few seconds
          later (sometimes failing on purpose), and pushes the result to all your windows. Open two windows with the same
          name, and a third with another name, and watch.
        </p>
        <form onSubmit={submit} className="signin__form" noValidate>
          <label htmlFor={inputId} className="field__label">
            Your name
          </label>
          <div className="signin__row">
            <input
              id={inputId}
              className="field__input"
              data-testid="signin-user"
              value={userId}
              onChange={(e) => {
                setUserId(e.target.value);
                setProblem(null);
              }}
              autoComplete="username"
              autoFocus
              maxLength={64}
              placeholder="alice"
              aria-invalid={problem !== null}
              aria-describedby={message ? messageId : undefined}
            />
            <button type="submit" className="button button--primary" data-testid="signin-submit" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
          {message && (
            <p className="field-error" id={messageId} role="alert">
              {message}
            </p>
          )}
          <p className="hint">Letters, digits, dot, dash and underscore.</p>
          <p className="hint hint--warn" data-testid="signin-demo-notice">
            This is a demo sign-in: there is no password, and anyone may sign in under any name, and so see that
            name&apos;s commands and notifications. Use nothing private here.
          </p>
        </form>
      </div>
    </main>
  );
}
