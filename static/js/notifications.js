// The notification bell: one socket per tab to /ws/notifications/ (the session cookie signs it in), the unread
// count, a toast for high-priority notices and a polite live region for screen readers. Everything is rendered on
// the server in the reader's language; this file only places it. Without the socket the bell still links to the
// inbox, and the count is read over HTTP while the socket waits to reconnect (backoff with jitter, up to 30 s).
// Other pages listen for the "peerlearn:notification" window event (the payload as sent by the server).
document.addEventListener("alpine:init", () => {
  window.Alpine.data("notificationBell", () => ({
    count: 0,
    announcement: "",
    toastTitle: "",
    toastBody: "",
    toastLink: null,
    toastVisible: false,
    attempts: 0,
    socket: null,
    toastTimer: null,
    stopped: false,
    config: null,
    root: null,

    init() {
      // Read the settings once: inside bindings and handlers `$el` is the element being bound, not this root.
      const data = this.$el.dataset;
      this.config = {
        socketPath: data.socketPath,
        countUrl: data.countUrl,
        inboxUrl: data.inboxUrl,
        labelNone: data.labelNone,
        labelUnread: data.labelUnread,
      };
      this.root = this.$el;
      // The toast's link is a real link from the start (crawlers and audits see the hidden toast too).
      this.toastLink = this.config.inboxUrl;
      this.count = parseInt(data.unread || "0", 10) || 0;
      this.connect();
      window.addEventListener("pagehide", () => {
        this.stopped = true;
        if (this.socket) this.socket.close();
      });
    },

    connect() {
      if (this.stopped || !("WebSocket" in window)) return;
      const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      const socket = new WebSocket(scheme + window.location.host + this.config.socketPath);
      this.socket = socket;
      socket.addEventListener("open", () => {
        this.attempts = 0;
        this.root.dataset.live = "connected";
      });
      socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
      socket.addEventListener("close", (event) => {
        this.root.dataset.live = "closed";
        if (this.socket !== socket || event.code === 4401 || this.stopped) return;
        this.retry();
      });
    },

    retry() {
      const delay = Math.min(30000, 1000 * 2 ** this.attempts) * (0.5 + Math.random() / 2);
      this.attempts += 1;
      this.refreshCount();
      window.setTimeout(() => this.connect(), delay);
    },

    refreshCount() {
      fetch(this.config.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          if (data) this.setCount(data.unread);
        })
        .catch(() => {});
    },

    receive(message) {
      if (message.type === "unread") {
        this.setCount(message.unread);
      } else if (message.type === "notification") {
        const notice = message.notification;
        this.setCount(message.unread);
        this.announcement = notice.title;
        if (notice.priority === "high" || notice.priority === "urgent") this.showToast(notice);
        this.addToInbox(notice);
        window.dispatchEvent(new CustomEvent("peerlearn:notification", { detail: notice }));
      }
    },

    setCount(value) {
      this.count = Math.max(0, parseInt(value, 10) || 0);
    },

    showToast(notice) {
      this.toastTitle = notice.title;
      this.toastBody = notice.body;
      this.toastLink = notice.link || this.config.inboxUrl;
      this.toastVisible = true;
      window.clearTimeout(this.toastTimer);
      this.toastTimer = window.setTimeout(() => this.dismissToast(), 10000);
    },

    dismissToast() {
      this.toastVisible = false;
    },

    addToInbox(notice) {
      const list = document.querySelector("[data-live-inbox]");
      if (!list || document.getElementById("notification-" + notice.id)) return;
      const empty = list.querySelector("[data-empty]");
      if (empty) empty.remove();
      list.insertAdjacentHTML("afterbegin", notice.html);
      if (window.htmx) window.htmx.process(list.firstElementChild);
    },

    get hasUnread() {
      return this.count > 0;
    },

    get badge() {
      return this.count > 99 ? "99+" : String(this.count);
    },

    get bellLabel() {
      const template = this.count > 0 ? this.config.labelUnread : this.config.labelNone;
      return template.replace("__COUNT__", String(this.count));
    },
  }));
});
