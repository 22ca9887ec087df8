/** The app: services for this window, the toasts, and sign-in or the workspace. */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Toaster } from 'sonner';
import { describeFailure, toRequestError } from '../api/retryPolicy';
import { SignIn } from '../session/SignIn';
import { userFromSearch } from '../session/session';
import { Announcer } from '../toasts/Announcer';
import { Workspace } from '../workspace/Workspace';
import { ServicesContext, createServices, useServices, type Services } from './services';

export function App({ services }: { services?: Services }) {
  const [value] = useState(() => services ?? createServices());
  return (
    <ServicesContext.Provider value={value}>
      <SessionGate />
      <Announcer />
      <Toaster position="bottom-right" visibleToasts={5} gap={8} toastOptions={{ unstyled: true }} containerAriaLabel="Notifications" />
    </ServicesContext.Provider>
  );
}

function SessionGate() {
  const { session: store, log } = useServices();
  const session = useSyncExternalStore(store.subscribe, store.get);
  // `?user=bob` opens this window as bob, whatever the window it was opened from had.
  // Already signed in as that user (a reload): nothing to do.
  const [wanted, setWanted] = useState(() => {
    const fromUrl = userFromSearch(window.location.search);
    return fromUrl !== null && store.get()?.userId === fromUrl ? null : fromUrl;
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const signIn = useCallback(
    async (userId: string) => {
      setBusy(true);
      setError(null);
      try {
        await store.signIn(userId);
      } catch (e) {
        // A window opened for another user must not carry on as the previous one.
        const previous = store.get();
        if (previous && previous.userId !== userId) store.signOut();
        const failure = toRequestError(e);
        setError(
          failure.status === 400
            ? (failure.problem?.detail ?? 'The server did not accept this name.')
            : `Could not sign in: ${describeFailure(failure)}`,
        );
      } finally {
        setBusy(false);
        setWanted(null);
      }
    },
    [store],
  );

  const autoStarted = useRef(false);
  useEffect(() => {
    if (autoStarted.current || !wanted) return;
    autoStarted.current = true;
    void signIn(wanted);
  }, [wanted, signIn]);

  const signOut = useCallback(() => {
    store.signOut();
    log.append({ channel: 'app', direction: 'note', level: 'info', summary: 'signed out' });
    if (window.location.search) window.history.replaceState(null, '', '/');
  }, [store, log]);

  if (session && !wanted) return <Workspace key={session.userId} session={session} onSignOut={signOut} />;
  return (
    <SignIn
      initialUser={wanted ?? session?.userId ?? ''}
      busy={busy || wanted !== null}
      error={error}
      onSignIn={(userId) => void signIn(userId)}
    />
  );
}
