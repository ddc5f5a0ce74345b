import WebSocket from 'ws';

/**
 * A bare socket.io client over one websocket (engine.io v4 protocol), for
 * tests that must reach under socket.io-client: to stall the connection's
 * reading, or to connect over a Unix socket. Events and acks only.
 */
export class RawSocketIoClient {
  readonly ws: WebSocket;
  private nextAck = 0;
  private readonly acks = new Map<number, (args: unknown[]) => void>();
  private readonly listeners = new Map<string, ((payload: unknown) => void)[]>();
  readonly connected: Promise<void>;

  /**
   * `url`: e.g. `ws://127.0.0.1:3001` or `ws+unix:///tmp/api.sock:` (the path after the colon).
   * `perMessageDeflate`: offer compression, as browsers and socket.io-client do (default), or not.
   */
  constructor(
    url: string,
    auth: Record<string, unknown>,
    options: { perMessageDeflate?: boolean } = {},
  ) {
    this.ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: options.perMessageDeflate ?? true,
    });
    this.connected = new Promise((resolve, reject) => {
      this.ws.once('error', reject);
      this.ws.on('message', (data: WebSocket.RawData) => {
        const text = Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8');
        if (text.startsWith('0')) this.ws.send(`40${JSON.stringify(auth)}`);
        else if (text === '2') this.ws.send('3');
        else if (text.startsWith('40')) resolve();
        else if (text.startsWith('44')) reject(new Error(text.slice(2)));
        else if (text.startsWith('42')) {
          const [event, payload] = JSON.parse(text.slice(2)) as [string, unknown];
          for (const listener of this.listeners.get(event) ?? []) listener(payload);
        } else if (text.startsWith('43')) {
          const match = /^43(\d+)(.*)$/s.exec(text);
          if (match) this.acks.get(Number(match[1]))?.(JSON.parse(match[2]!) as unknown[]);
        }
      });
    });
  }

  on(event: string, listener: (payload: unknown) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }

  /** Emits an event and resolves with the first argument of its acknowledgement. */
  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAck++;
    return new Promise((resolve) => {
      this.acks.set(id, (args) => {
        this.acks.delete(id);
        resolve(args[0]);
      });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
