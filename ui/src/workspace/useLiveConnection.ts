/**
 * The window's live connection: the one socket, the delivery cursor that makes every reconnect a
 * resume, presence (what this window tells, what others do), and the log lines that explain it.
 * Messages that pass the cursor go on to the list (`todos`) and to `onTopic` (stats, chaos).
 */
import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import type { Api } from '../api/endpoints';
import type { NetworkGateControl } from '../api/networkGate';
import { describeFailure, toRequestError } from '../api/retryPolicy';
import { initialPresence, onlineUsers, presenceByTodo, presenceReducer } from '../collab/presence';
import { createPresenceSender, type Focus } from '../collab/presenceSender';
import type { TodosApi } from '../commands/useTodos';
import { describeClose } from '../connection/closeReasons';
import { describeFrame } from '../log/describeFrame';
import { redactJson, redactText, type LogStore } from '../log/logStore';
import { createDeliveryTracker, socketUrl, type Verdict } from '../socket/delivery';
import type { ServerMessage, UserEvent } from '../socket/protocol';
import { useSocket, type CloseInfo, type SocketFactory, type SocketHandle } from '../socket/useSocket';
import { showNotice } from '../toasts/notify';

interface Options {
  api: Api;
  log: LogStore;
  userId: string;
  todos: Pick<TodosApi, 'state' | 'onServerMessage' | 'onSubscribed' | 'resync' | 'setWatching' | 'onCursor'>;
  /** Everything delivered, after the list saw it (stats, chaos). */
  onTopic?: (message: ServerMessage) => void;
  createSocket?: SocketFactory;
  /** Told when the socket opens and when it is lost: commands wait for the network meanwhile. */
  network?: Pick<NetworkGateControl, 'setSocketUp'>;
}

export interface LiveConnection {
  socket: SocketHandle;
  /** Drops the socket on purpose and stays away for `ms`. */
  drop: (ms: number) => void;
  presence: ReturnType<typeof presenceByTodo>;
  online: { users: ReturnType<typeof onlineUsers>; known: boolean };
  /** This window's id on the server, once a welcome/resumed/resync named it. */
  windowId: string | null;
  /** This window's focus moved. */
  setFocus: (focus: Focus) => void;
}

function eventText(event: UserEvent): string {
  const fields = redactJson(event.fields);
  return fields === '{}' ? event.name : `${event.name} ${fields.length > 120 ? `${fields.slice(0, 119)}…` : fields}`;
}

export function useLiveConnection({ api, log, userId, todos, onTopic, createSocket, network }: Options): LiveConnection {
  // A reloaded window resumes from where its stored state stands.
  const [tracker] = useState(() => createDeliveryTracker(todos.state.cursor));
  const [presenceState, dispatchPresence] = useReducer(presenceReducer, initialPresence);
  const [windowId, setWindowId] = useState<string | null>(null);
  const { onServerMessage, onSubscribed, resync, setWatching, onCursor } = todos;

  const note = useCallback(
    (summary: string, level: 'info' | 'ok' | 'warn' | 'error') => log.append({ channel: 'ws', direction: 'note', level, summary }),
    [log],
  );

  const getUrl = useCallback(
    async ({ attempt }: { attempt: number }) => {
      const { ticket } = await api.wsTicket();
      const cursor = tracker.cursor();
      const url = socketUrl(ticket, cursor);
      const resume = cursor ? ` · resuming after seq ${cursor.seq}` : '';
      log.append({
        channel: 'ws',
        direction: 'out',
        level: 'info',
        summary: `open ${redactText(url)}${attempt > 0 ? ` · attempt ${attempt + 1}` : ''}${resume}`,
      });
      return url;
    },
    [api, log, tracker],
  );

  // Presence goes out only on an open socket (throttled); every open sends the current focus
  // again, and so does a timer while the socket is open (the server may have lost it).
  const [sender] = useState(() => createPresenceSender({}));

  const deliver = useCallback(
    (message: ServerMessage) => {
      onServerMessage(message);
      dispatchPresence({ type: 'message', message });
      switch (message.type) {
        case 'subscribed':
          // Whatever changed while we were not subscribed (first load, a reconnect) is in the list now.
          if (message.topic === 'todos') onSubscribed();
          break;
        case 'error':
          sender.rejected(message.code);
          break;
        case 'event':
          showNotice({ id: `event:${message.epoch ?? ''}:${message.seq ?? ''}`, kind: 'info', text: eventText(message) });
          break;
        default:
          break;
      }
      onTopic?.(message);
    },
    [onServerMessage, onSubscribed, onTopic, sender],
  );

  const onVerdict = useCallback(
    (message: ServerMessage, verdict: Verdict) => {
      switch (verdict.kind) {
        case 'duplicate':
          note(`dropped a duplicate: seq ${verdict.seq}, already processed up to ${verdict.lastSeq}`, 'warn');
          return;
        case 'welcome':
          note(`welcome: epoch ${verdict.epoch}, messages follow from seq ${verdict.seq + 1}`, 'ok');
          break;
        case 'resumed':
          note(
            verdict.count === 0
              ? `resumed: nothing missed (up to date at seq ${verdict.to})`
              : `resumed ${verdict.count} missed message${verdict.count === 1 ? '' : 's'} (${verdict.from}..${verdict.to})`,
            'ok',
          );
          break;
        case 'resync': {
          if (verdict.deliver) deliver(message);
          const seq = tracker.cursor()?.seq ?? 0;
          const checks = resync(seq);
          note(
            `resync (${verdict.why}): refetching the list${checks ? ` and checking ${checks} pending command${checks === 1 ? '' : 's'}` : ''}; continuing from seq ${seq}`,
            'warn',
          );
          break;
        }
        case 'deliver':
          deliver(message);
          break;
      }
      // After the message: the stored cursor never runs ahead of what the state has processed.
      onCursor(tracker.cursor());
      const id = tracker.windowId();
      if (id) setWindowId(id);
    },
    [deliver, note, resync, tracker, onCursor],
  );

  const onMessage = useCallback((message: ServerMessage) => onVerdict(message, tracker.receive(message)), [onVerdict, tracker]);


  const socket = useSocket({
    enabled: true,
    getUrl,
    onMessage,
    ...(createSocket ? { createSocket } : {}),
    onOpen: ({ reconnect }) => {
      note(reconnect ? 'open again: subscribing and refreshing the list' : 'open', 'ok');
      socket.send({ type: 'subscribe', topic: 'todos' });
      socket.send({ type: 'subscribe', topic: 'stats' });
      sender.connected(socket.trySend);
      network?.setSocketUp(true);
    },
    onClose: (info: CloseInfo) => {
      network?.setSocketUp(false);
      dispatchPresence({ type: 'reset' });
      sender.disconnected();
      const { summary, level } = describeClose(info, tracker.cursor());
      note(summary, level);
    },
    onConnectError: (error) => note(`no ticket for the socket: ${describeFailure(toRequestError(error))}`, 'error'),
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
        ...(frame.entityId !== undefined ? { entityId: frame.entityId } : {}),
      });
    },
  });

  useEffect(() => () => sender.disconnected(), [sender]);

  const setFocus = useCallback(
    (focus: Focus) => {
      setWatching(focus);
      sender.set(focus);
    },
    [sender, setWatching],
  );

  const { suspend } = socket;
  const drop = useCallback(
    (ms: number) => {
      note(`dropping the connection on purpose for ${ms / 1000} s`, 'warn');
      suspend(ms);
    },
    [note, suspend],
  );

  const presence = useMemo(() => presenceByTodo(presenceState, userId), [presenceState, userId]);
  const online = useMemo(
    () => ({ users: onlineUsers(presenceState, userId), known: presenceState.known }),
    [presenceState, userId],
  );

  return { socket, drop, presence, online, windowId, setFocus };
}
