// The mentor dashboard's new-bookings list: when the notification socket announces a booking made, moved or
// cancelled (the bell's "peerlearn:notification" event: "sessions.booking_*" for 1:1 sessions,
// "sessions.group_seat" for a seat taken or given up in a group session), fetch the list again with htmx
// (hx-trigger on the list). Without the socket the list is as fresh as the page.
const BOOKING_KIND = /^sessions\.(booking_|group_seat$)/;
window.addEventListener("peerlearn:notification", (event) => {
  const notice = event.detail || {};
  if (typeof notice.kind !== "string" || !BOOKING_KIND.test(notice.kind)) return;
  if (window.htmx && document.getElementById("new-bookings")) window.htmx.trigger(document.body, "new-bookings:changed");
});
