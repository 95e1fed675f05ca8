// Shared page behaviour. Alpine components register here before Alpine starts.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const focusTarget = target && target.querySelector("[data-autofocus]");
  if (focusTarget) focusTarget.focus();
});

// Onboarding: preselect the browser's time zone in <select data-detect-time-zone> (the student can still change it).
function detectTimeZone(root) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  root.querySelectorAll("select[data-detect-time-zone]").forEach((select) => {
    if (Array.from(select.options).some((option) => option.value === zone)) select.value = zone;
  });
}
document.addEventListener("DOMContentLoaded", () => detectTimeZone(document));
document.addEventListener("htmx:afterSwap", (event) => detectTimeZone(event.detail.target));

// Remember the browser's time zone in a cookie so pages can show visitors (signed in or not) their local times.
(function rememberTimeZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes("peerlearn_tz=" + zone)) {
    document.cookie = "peerlearn_tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  }
})();
