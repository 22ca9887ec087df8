/** The signed-in app: the list, the live chart, the chaos panel and the log, fed by one socket. */
import { useCallback, useState } from 'react';
import { useServices } from '../app/services';
import { describeFailure, toRequestError } from '../api/retryPolicy';
import type { ChaosSettings, Session } from '../api/types';
import { ChaosPanel } from '../chaos/ChaosPanel';
import { useTodos } from '../commands/useTodos';
import { describeFrame } from '../log/describeFrame';
import { LogTerminal } from '../log/LogTerminal';
import { redactText } from '../log/logStore';
import type { ServerMessage } from '../socket/protocol';
import { useSocket, type CloseInfo } from '../socket/useSocket';
import { StatsChart } from '../stats/StatsChart';
import { createStatsSeries } from '../stats/statsSeries';
import { TodoPanel } from '../todos/TodoPanel';
import { Header } from './Header';
import { useMode } from './useMode';

export function socketUrl(ticket: string, location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws?ticket=${encodeURIComponent(ticket)}`;
}

interface Props {
  session: Session;
  onSignOut: () => void;
}

export function Workspace({ session, onSignOut }: Props) {
  const { api, log, policy } = useServices();
  const [mode, setMode] = useMode();
  const todos = useTodos(api, session.userId, mode);
  const [stats] = useState(createStatsSeries);
  const [chaos, setChaos] = useState<ChaosSettings | null>(null);
  const { onServerMessage, refresh } = todos;

  const getUrl = useCallback(
    async ({ attempt }: { attempt: number }) => {
      const { ticket } = await api.wsTicket();
      const url = socketUrl(ticket);
      log.append({
        channel: 'ws',
        direction: 'out',
        level: 'info',
        summary: `open ${redactText(url)}${attempt > 0 ? ` · attempt ${attempt + 1}` : ''}`,
      });
      return url;
    },
    [api, log],
  );

  const onMessage = useCallback(
    (message: ServerMessage) => {
      onServerMessage(message);
      switch (message.type) {
        case 'stats':
          stats.push(message, Date.now());
          break;
        case 'chaos':
          setChaos(message.settings);
          break;
        case 'subscribed':
          // Whatever changed while we were not subscribed (first load, a reconnect) is in the list now.
          if (message.topic === 'todos') refresh();
          break;
        default:
          break;
      }
    },
    [onServerMessage, refresh, stats],
  );

  const socket = useSocket({
    enabled: true,
    getUrl,
    onMessage,
    onOpen: ({ reconnect }) => {
      log.append({ channel: 'ws', direction: 'note', level: 'ok', summary: reconnect ? 'open again: subscribing and refreshing the list' : 'open' });
      socket.send({ type: 'subscribe', topic: 'todos' });
      socket.send({ type: 'subscribe', topic: 'stats' });
    },
    onClose: (info: CloseInfo) =>
      log.append({
        channel: 'ws',
        direction: 'note',
        level: 'warn',
        summary: `closed (code ${info.code}${info.reason ? `, ${info.reason}` : ''}); reconnecting with backoff`,
      }),
    onConnectError: (error) =>
      log.append({
        channel: 'ws',
        direction: 'note',
        level: 'error',
        summary: `no ticket for the socket: ${describeFailure(toRequestError(error))}`,
      }),
    onInvalid: (text, reason) =>
      log.append({ channel: 'ws', direction: 'in', level: 'warn', summary: `ignored: ${reason}`, detail: redactText(text) }),
    onFrame: (direction, text) => {
      const frame = describeFrame(text);
      log.append({
        channel: 'ws',
        direction,
        level: frame.level,
        summary: frame.summary,
        detail: redactText(text),
        noisy: frame.noisy,
      });
    },
  });

  return (
    <div className="app">
      <Header userId={session.userId} socket={socket} onSignOut={onSignOut} />
      <main className="layout">
        <TodoPanel todos={todos} mode={mode} onModeChange={setMode} />
        <div className="side">
          <StatsChart series={stats} />
          <ChaosPanel api={api} pushed={chaos} policy={policy} />
        </div>
        <LogTerminal store={log} />
      </main>
    </div>
  );
}
