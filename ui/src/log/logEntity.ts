/**
 * Which todo a log line concerns, read once when the line is written: the `entityId` of a socket
 * frame or of an HTTP answer (a 202, a command's status); HTTP calls about one todo name it themselves.
 */
import { isObject, isString } from '../shared/validate';

/** The top-level `entityId` of a parsed message, if it names one. */
export function entityIdOf(json: unknown): string | undefined {
  return isObject(json) && isString(json.entityId) && json.entityId !== '' ? json.entityId : undefined;
}

/** The same for a message in text form (nothing when it is not JSON). */
export function entityIdInText(text: string): string | undefined {
  try {
    return entityIdOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}
