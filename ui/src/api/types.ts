/** Shapes of the HTTP API (see docs/protocol.md and the README of the server). */

export interface Todo {
  id: string;
  text: string;
  completed: boolean;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

export interface Session {
  userId: string;
  token: string;
  expiresAt: string;
}

export interface WsTicket {
  ticket: string;
  expiresAt: string;
}

/** Body of a 202 Accepted answer to a command. */
export interface CommandAccepted {
  commandId: string;
  entityId: string;
  status: 'accepted';
  /** The user's last issued `seq` at acceptance: the outcome will come with a larger one. */
  userSeq?: number;
}

export type CommandType = 'create' | 'update' | 'delete';

export interface CommandError {
  code: string;
  message: string;
  /** For a command the server refused (400): its problem detail, e.g. "text: must not contain ...". */
  detail?: string;
}

export interface CommandStatus {
  commandId: string;
  entityId: string;
  type: CommandType;
  status: 'accepted' | 'succeeded' | 'failed';
  error?: CommandError;
  acceptedAt: string;
  completedAt?: string;
}

export interface ChaosSettings {
  httpFailureRate: number;
  lostResponseRate: number;
  processingFailureRate: number;
  minHttpDelayMs: number;
  maxHttpDelayMs: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const CHAOS_FIELDS = [
  'httpFailureRate',
  'lostResponseRate',
  'processingFailureRate',
  'minHttpDelayMs',
  'maxHttpDelayMs',
  'minDelayMs',
  'maxDelayMs',
] as const satisfies readonly (keyof ChaosSettings)[];

export type ChaosField = (typeof CHAOS_FIELDS)[number];

/** RFC 9457 problem details, as every error of the server is written. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  errors?: { field: string; message: string }[];
}

export type TodoPatch = { text?: string; completed?: boolean };
