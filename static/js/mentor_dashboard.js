// The mentor dashboard's new-bookings list: when the notification socket announces a booking made, moved or
// cancelled (the bell's "peerlearn:notification" event), fetch the list again with htmx (hx-trigger on the list).
// Without the socket the list is as fresh as the page.
window.addEventListener("peerlearn:notification", (event) => {
  const notice = event.detail || {};
  if (typeof notice.kind !== "string" || notice.kind.indexOf("sessions.booking_") !== 0) return;
  if (window.htmx && document.getElementById("new-bookings")) window.htmx.trigger(document.body, "new-bookings:changed");
});
