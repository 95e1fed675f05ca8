// The signalling WebSocket of the room: reconnects with backoff, keeps outgoing messages in order while it is down,
// and stops for good on a refusal (a close code the server sends in the page config: reconnecting would be refused
// again).

import { mark } from "./marks.js";

const MAX_RECONNECT_DELAY_MS = 10_000;
const OUTGOING_QUEUE_LIMIT = 500;
export const PING_INTERVAL_MS = 25_000;

export function newClientToken() {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class SignallingSocket {
  constructor(url, { refusalCodes, onMessage, onStatus, onRefused }) {
    this.url = url;
    this.refusalCodes = new Set(refusalCodes);
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.onRefused = onRefused;
    this.ws = null;
    this.ready = false;
    this.queue = [];
    this.attempt = 0;
    this.stopped = false;
    this.retryTimer = null;
  }

  open() {
    this.stopped = false;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.onStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    ws.onopen = () => mark("room:socket-open");
    ws.onmessage = (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data.type === "welcome") {
        this.ready = true;
        this.attempt = 0;
        this.onStatus("open");
        this.onMessage(data);
        this.flush();
        return;
      }
      this.onMessage(data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      if (this.stopped) return;
      if (this.refusalCodes.has(event.code)) {
        this.stopped = true;
        this.onRefused(event.code);
        return;
      }
      this.scheduleReconnect();
    };
  }

  scheduleReconnect() {
    this.onStatus("reconnecting");
    const base = Math.min(MAX_RECONNECT_DELAY_MS, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  send(message) {
    if (this.ready && this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return;
    }
    // Kept in order and delivered after the next welcome; media keeps flowing peer to peer meanwhile.
    if (this.queue.length < OUTGOING_QUEUE_LIMIT && message.type !== "ping") this.queue.push(message);
  }

  flush() {
    const pending = this.queue;
    this.queue = [];
    for (const message of pending) this.send(message);
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
    this.ready = false;
  }
}
