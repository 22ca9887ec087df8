/** The signed-in app: the list, the live chart, the chaos panel and the log, fed by one socket. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { sessionStorageOrNothing, useServices } from '../app/services';
import type { ChaosSettings, Session } from '../api/types';
import { ChaosPanel } from '../chaos/ChaosPanel';
import { createOutboxStore } from '../commands/outbox';
import { useTodos } from '../commands/useTodos';
import { LogTerminal } from '../log/LogTerminal';
import type { ServerMessage } from '../socket/protocol';
import { StatsChart } from '../stats/StatsChart';
import { createStatsSeries } from '../stats/statsSeries';
import { TodoPanel } from '../todos/TodoPanel';
import { useActedOn } from '../todos/useActedOn';
import { Header } from './Header';
import { useLiveConnection } from './useLiveConnection';
import { useMode } from './useMode';

interface Props {
  session: Session;
  onSignOut: () => void;
}

export function Workspace({ session, onSignOut }: Props) {
  const { api, log, policy, pendingCheck, network } = useServices();
  const [mode, setMode] = useMode();
  const todoLog = useCallback(
    (summary: string, level: 'info' | 'ok' | 'warn' | 'error') => log.append({ channel: 'app', direction: 'note', level, summary }),
    [log],
  );
  // Open commands and the delivery cursor survive a reload of this tab.
  const [outbox] = useState(() => createOutboxStore(sessionStorageOrNothing(), session.userId));
  const todos = useTodos(api, session.userId, mode, { pendingCheckMs: pendingCheck.get, log: todoLog, outbox });
  const signOut = useCallback(() => {
    outbox.clear();
    onSignOut();
  }, [outbox, onSignOut]);
  const [stats] = useState(createStatsSeries);
  const [chaos, setChaos] = useState<ChaosSettings | null>(null);
  const [chaosBy, setChaosBy] = useState<string | null>(null);
  const [actedOn, onActed] = useActedOn();
  // What the log links to: the rows the list shows now.
  const rows = todos.view.rows;
  const listed = useMemo(() => new Map(rows.map((row) => [row.id, row.todo.text])), [rows]);

  const onTopic = useCallback(
    (message: ServerMessage) => {
      if (message.type === 'stats') stats.push(message, Date.now());
      else if (message.type === 'chaos') {
        setChaos(message.settings);
        setChaosBy(message.changedBy ?? null);
      }
    },
    [stats],
  );

  const live = useLiveConnection({ api, log, userId: session.userId, todos, onTopic, network });
  // No stats while the socket is down: the chart shows a hole, not a made-up line.
  const socketOpen = live.socket.status === 'open';
  useEffect(() => {
    if (!socketOpen) stats.gap();
  }, [socketOpen, stats]);

  return (
    <div className="app">
      <Header userId={session.userId} socket={live.socket} onSignOut={signOut} />
      <main className="layout">
        <TodoPanel
          todos={todos}
          mode={mode}
          onModeChange={setMode}
          me={session.userId}
          presence={live.presence}
          online={{ ...live.online, windowId: live.windowId }}
          onFocusChange={live.setFocus}
          actedOn={actedOn}
          onActed={onActed}
        />
        <div className="side">
          <StatsChart series={stats} />
          <ChaosPanel
            api={api}
            pushed={chaos}
            pushedBy={chaosBy}
            policy={policy}
            pendingCheck={pendingCheck}
            onDrop={live.drop}
            suspended={live.socket.status === 'suspended'}
          />
        </div>
        <LogTerminal store={log} todos={listed} onShowItem={onActed} />
      </main>
    </div>
  );
}
