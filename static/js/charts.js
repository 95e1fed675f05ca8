// Charts (Chart.js, vendored, loaded only by pages with charts). Each chart is a canvas
// `<canvas x-data="chart" data-source="ID" data-chart="KEY">`: the data comes from the `json_script` element ID
// (a list of {id, type, labels, datasets}) and the chart is the entry whose id is KEY. Every chart has a table with
// the same numbers beside it. As an Alpine component a chart also draws when htmx swaps it in, and is destroyed
// with its canvas.
document.addEventListener("alpine:init", () => {
  const colours = ["#4f46e5", "#059669", "#d97706", "#dc2626"];
  window.Alpine.data("chart", () => ({
    init() {
      const source = document.getElementById(this.$el.dataset.source);
      if (!source || !window.Chart) return;
      const spec = JSON.parse(source.textContent).find((entry) => entry.id === this.$el.dataset.chart);
      if (!spec) return;
      this.drawn = new window.Chart(this.$el, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map((set, i) => ({
            ...set,
            borderColor: colours[i % colours.length],
            backgroundColor: colours[i % colours.length],
            tension: 0.2,
            spanGaps: true,
          })),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { position: "bottom", display: spec.datasets.length > 1 } },
          scales: {
            x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } },
            y: { beginAtZero: true, suggestedMax: spec.suggestedMax },
          },
        },
      });
    },
    destroy() {
      if (this.drawn) this.drawn.destroy();
    },
  }));
});
