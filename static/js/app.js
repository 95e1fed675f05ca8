// Shared page behaviour. Alpine components register here before Alpine starts.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const focusTarget = target && target.querySelector("[data-autofocus]");
  if (focusTarget) focusTarget.focus();
});
