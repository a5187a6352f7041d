// The live channel (WebSocket /ui/live, protocol in acs/dashboards/live-hub.ts):
// reconnects by itself with a growing, jittered delay, tells the page what to
// watch after every (re)connection, and reports its state ("connecting",
// "live", "reconnecting") for the indicator. No polling: the server pushes;
// the only timer here is the watchdog that treats 60 s of silence (the server
// sends a heartbeat every 25 s) as a dead link.

const SILENCE_MS = 60_000;
const MAX_DELAY_MS = 15_000;
const SESSION_ENDED = 4401;

export class LiveChannel {
  /**
   * handlers: { onMessage(msg), onState(state, { reconnected }), onSessionEnded(),
   *   onRefused() — the handshake failed: maybe the session is gone (a 401 cannot be read from a WebSocket) }
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.watchSpec = { type: "watch", overview: false, devices: [] };
    this.socket = null;
    this.attempt = 0;
    this.everConnected = false;
    this.stopped = false;
    this.retryTimer = null;
    this.watchdog = null;
  }

  start() {
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.watchdog);
    this.socket?.close(1000, "logout");
  }

  /** What the current page wants: { overview: boolean, devices: string[] }. */
  watch({ overview = false, devices = [] } = {}) {
    this.watchSpec = { type: "watch", overview, devices: devices.slice(0, 500) };
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(this.watchSpec));
  }

  connect() {
    const url = new URL("/ui/live", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    this.socket = socket;
    this.handlers.onState(this.everConnected ? "reconnecting" : "connecting", {});
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.attempt = 0;
      socket.send(JSON.stringify(this.watchSpec));
      this.handlers.onState("live", { reconnected });
      this.feedWatchdog();
    });
    socket.addEventListener("message", (event) => {
      this.feedWatchdog();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.handlers.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      clearTimeout(this.watchdog);
      if (this.socket !== socket || this.stopped) return;
      if (event.code === SESSION_ENDED) {
        this.handlers.onSessionEnded();
        return;
      }
      if (!opened) this.handlers.onRefused();
      this.handlers.onState("reconnecting", {});
      const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** this.attempt++) * (0.75 + Math.random() * 0.5);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  feedWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.socket?.close(4000, "silent link"), SILENCE_MS);
  }
}
