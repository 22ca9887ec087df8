/** What a close code means for this window (docs/protocol.md, section 4), in words for the log. */
import type { Cursor } from '../socket/delivery';
import { CLOSE_BROWSER_OFFLINE, CLOSE_NO_TRAFFIC, CLOSE_SIMULATED_DROP, type CloseInfo } from '../socket/useSocket';

export function describeClose(info: CloseInfo, cursor: Cursor | null): { summary: string; level: 'warn' | 'error' } {
  const then = cursor ? `, then resuming after seq ${cursor.seq}` : '';
  const code = `(${info.code}${info.reason ? `, ${info.reason}` : ''})`;
  switch (info.code) {
    case 1000:
      return { summary: `closed normally ${code}; reconnecting${then}`, level: 'warn' };
    case 1001:
      return { summary: `server going away ${code}: reconnecting with jittered backoff${then}`, level: 'warn' };
    case 1008:
      return { summary: `closed: a message was not completed in time ${code}, a client bug; reconnecting${then}`, level: 'error' };
    case 1009:
      return { summary: `closed: a message was too big ${code}, a client bug; reconnecting${then}`, level: 'error' };
    case 1011:
      return { summary: `server error ${code}: reconnecting with backoff${then}`, level: 'error' };
    case 4008:
      return { summary: `slow consumer ${code}: this window fell behind; reconnecting${then}`, level: 'warn' };
    case 4029:
      return { summary: `refused ${code}: this user has too many windows open; close one, reconnecting with backoff${then}`, level: 'error' };
    case CLOSE_NO_TRAFFIC:
      if (info.byClient) return { summary: `dead socket: ${info.reason}; closed it, reconnecting${then}`, level: 'warn' };
      break;
    case CLOSE_BROWSER_OFFLINE:
      if (info.byClient) return { summary: `the browser went offline: closed the socket, reconnecting when it is back${then}`, level: 'warn' };
      break;
    case CLOSE_SIMULATED_DROP:
      if (info.byClient) return { summary: `dropped on purpose (simulated): reconnecting when the time is up${then}`, level: 'warn' };
      break;
    default:
      break;
  }
  return { summary: `connection lost ${code}; reconnecting with backoff${then}`, level: 'warn' };
}
