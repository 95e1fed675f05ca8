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

  // The filters of /mentors/: a <details> that is a sidebar on wide screens (kept open) and, on phones, a sheet over
  // the page while open: focus moves into it and stays there, Escape or the backdrop closes it and gives focus back
  // to its summary; sending the form closes it and hands focus to the results. The "(n)" on the summary follows the
  // active-filter chips the results bring after every htmx swap.
  window.Alpine.data("filterSheet", () => {
    const wide = window.matchMedia("(min-width: 1024px)");
    return {
      open: false,
      wideScreen: wide.matches,
      focusResults: false,
      init() {
        const sync = () => {
          this.wideScreen = wide.matches;
          this.$refs.sheet.open = wide.matches;
        };
        sync();
        wide.addEventListener("change", sync);
        document.addEventListener("htmx:afterSettle", () => this.afterResults());
      },
      get isSheet() {
        return this.open && !this.wideScreen;
      },
      controls() {
        return Array.from(this.$refs.sheet.querySelectorAll("summary, a[href], button, select, input:not([type=hidden])"));
      },
      onToggle() {
        this.open = this.$refs.sheet.open;
        document.documentElement.style.overflow = this.isSheet ? "hidden" : "";
        if (this.isSheet) {
          const [, first] = this.controls();
          if (first) first.focus();
        }
      },
      close(returnFocus = false) {
        if (!this.isSheet) return;
        this.$refs.sheet.open = false;
        if (returnFocus) {
          this.$refs.summary.focus();
        } else {
          // The results about to be swapped in take it (afterResults).
          this.focusResults = true;
        }
      },
      dismiss() {
        this.close(true);
      },
      onKeydown(event) {
        if (!this.isSheet) return;
        if (event.key === "Escape") {
          event.preventDefault();
          this.close(true);
          return;
        }
        if (event.key !== "Tab") return;
        const cycle = this.controls();
        const index = cycle.indexOf(document.activeElement);
        const next = event.shiftKey ? index - 1 : index + 1;
        event.preventDefault();
        cycle[(next + cycle.length) % cycle.length].focus();
      },
      afterResults() {
        if (this.focusResults) {
          this.focusResults = false;
          const results = document.getElementById("results");
          if (results) results.focus();
        }
        const count = document.querySelectorAll("#results [data-filter-chip]").length;
        this.$refs.count.textContent = count ? `(${count})` : "";
      },
    };
  });

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
