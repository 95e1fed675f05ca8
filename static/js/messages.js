// A message thread: when the notification socket announces a new message in this thread (the bell's
// "peerlearn:notification" event), fetch the thread's messages again with htmx. Without the socket the list still
// refreshes every minute (hx-trigger on the list) and after each message sent from this tab.
window.addEventListener("peerlearn:notification", (event) => {
  const notice = event.detail || {};
  if (typeof notice.kind !== "string" || notice.kind.indexOf("messages.") !== 0) return;
  const list = document.getElementById("thread-messages");
  if (!list || !notice.link || notice.link.indexOf(list.dataset.thread) === -1) return;
  if (window.htmx) window.htmx.trigger(document.body, "thread-messages:changed");
});
