// Draws the analytics charts (Chart.js, vendored) from the JSON the page embeds; each has a table beside it.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("analytics-charts");
  if (!source || !window.Chart) return;
  const colours = ["#4f46e5", "#059669", "#d97706", "#dc2626"];
  for (const chart of JSON.parse(source.textContent)) {
    const canvas = document.getElementById(`chart-${chart.id}`);
    if (!canvas) continue;
    new window.Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map((set, i) => ({
          ...set,
          borderColor: colours[i % colours.length],
          backgroundColor: colours[i % colours.length],
          tension: 0.2,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 6 } }, y: { beginAtZero: true } },
      },
    });
  }
});
