/** Tailwind scans the templates and scripts; run `make css` after changing classes. */
module.exports = {
  content: ["./templates/**/*.html", "./static/js/**/*.js", "./**/templatetags/*.py", "./**/forms.py"],
  theme: { extend: {} },
  plugins: [require("@tailwindcss/forms")],
};
