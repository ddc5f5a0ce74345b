import { io, type Socket } from 'socket.io-client';

let shared: { url: string; socket: Socket } | null = null;
let displayName = '';

/** The name this browser shows in presence and in the activity feed. */
export function setDisplayName(name: string): void {
  displayName = name;
}

export function getDisplayName(): string {
  return displayName;
}

/**
 * The one socket.io connection of this tab, whatever the number of panels,
 * pages and React Strict Mode's double effects: every cluster feed shares it.
 * The handshake reads the display name when it connects, so a reconnect
 * carries the current one.
 */
export function sharedSocket(url: string): Socket {
  if (shared?.url === url) return shared.socket;
  shared?.socket.disconnect();
  const socket = io(url, {
    auth: (cb) => cb({ name: displayName || 'guest' }),
    transports: ['websocket', 'polling'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  shared = { url, socket };
  return socket;
}
