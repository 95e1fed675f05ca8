// Shared page behaviour. Alpine components register here before Alpine starts.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const focusTarget = target && target.querySelector("[data-autofocus]");
  if (focusTarget) focusTarget.focus();
});

// Onboarding: preselect the browser's time zone in <select data-detect-time-zone> (the student can still change it).
// Browsers report some zones by old names ("Asia/Calcutta"); the select lists current ones and carries the mapping.
function detectTimeZone(root) {
  const reported = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!reported) return;
  root.querySelectorAll("select[data-detect-time-zone]").forEach((select) => {
    const zone = JSON.parse(select.dataset.timeZoneAliases || "{}")[reported] || reported;
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

// Skill suggestions under profile list fields: a suggested term replaces the item being typed (the text after the
// last comma or line break) and the field is told it changed, so the suggestions follow.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-suggest-term]");
  const field = button && document.getElementById(button.dataset.suggestTarget);
  if (!field) return;
  const separator = field.tagName === "TEXTAREA" ? "\n" : ", ";
  const items = field.value.split(/[\n,]/);
  items.pop();
  const kept = items.map((item) => item.trim()).filter(Boolean);
  kept.push(button.dataset.suggestTerm);
  field.value = kept.join(separator) + separator;
  field.focus();
  field.dispatchEvent(new Event("input", { bubbles: true }));
});

// Alpine components. The page loads Alpine's CSP build, which evaluates no code from the markup: expressions in
// templates stay simple (properties, method calls) and never carry request data; behaviour lives here.
document.addEventListener("alpine:init", () => {
  // The site navigation's menu button on small screens: a disclosure whose panel keeps focus while open (Tab and
  // Shift+Tab cycle through the button and the menu's controls) and closes on Escape, handing focus back.
  window.Alpine.data("siteNav", () => ({
    open: false,
    toggle() {
      if (this.open) {
        this.close();
        return;
      }
      this.open = true;
      this.$nextTick(() => {
        const [first] = this.focusables();
        if (first) first.focus();
      });
    },
    close(returnFocus = false) {
      if (!this.open) return;
      this.open = false;
      if (returnFocus) this.$refs.button.focus();
    },
    focusables() {
      return Array.from(this.$refs.menu.querySelectorAll("a[href], button, select, input:not([type=hidden])"));
    },
    onKeydown(event) {
      // On wide screens the button is hidden and the links are an ordinary row: nothing to trap.
      if (!this.open || this.$refs.button.offsetParent === null) return;
      if (event.key === "Escape") {
        event.preventDefault();
        this.close(true);
        return;
      }
      if (event.key !== "Tab") return;
      const cycle = [this.$refs.button, ...this.focusables()];
      const index = cycle.indexOf(document.activeElement);
      const next = event.shiftKey ? index - 1 : index + 1;
      event.preventDefault();
      cycle[(next + cycle.length) % cycle.length].focus();
    },
    get expanded() {
      return this.open ? "true" : "false";
    },
    get linksClass() {
      return { hidden: !this.open, flex: this.open };
    },
  }));

  // A read-only field whose whole value is selected on focus, ready to copy (the calendar feed address).
  window.Alpine.data("selectOnFocus", () => ({
    select() {
      this.$el.select();
    },
  }));

  // The tip form: the custom amount field shows when "Other amount" is chosen. The starting choice is read from
  // the radio the server rendered as checked, never from an expression holding what the visitor sent.
  window.Alpine.data("tipForm", () => ({
    amount: "",
    init() {
      const checked = this.$el.querySelector('input[name="amount"]:checked');
      this.amount = checked ? checked.value : "";
    },
    get isCustom() {
      return this.amount === "custom";
    },
  }));
});
