// Connection quality from a peer link's stats: a level for the badge and the figures beside it.

export const STATS_INTERVAL_MS = 2_000;
const LEVEL_ORDER = { unknown: 0, good: 1, fair: 2, poor: 3 };

export function qualityLevel({ rttMs, lossPct }) {
  if (rttMs === null && lossPct === null) return "unknown";
  if ((rttMs ?? 0) > 400 || (lossPct ?? 0) > 8) return "poor";
  if ((rttMs ?? 0) > 150 || (lossPct ?? 0) > 2) return "fair";
  return "good";
}

export function worseOrEqual(level, than) {
  return LEVEL_ORDER[level] >= LEVEL_ORDER[than];
}

// The three signal bars of the badge: how many are lit, and in which colour, for each level.
const BAR_COLOURS = {
  unknown: ["bg-slate-300", "bg-slate-300", "bg-slate-300"],
  poor: ["bg-red-500", "bg-slate-300", "bg-slate-300"],
  fair: ["bg-emerald-500", "bg-amber-500", "bg-slate-300"],
  good: ["bg-emerald-500", "bg-emerald-500", "bg-emerald-500"],
};

export function qualityBarClass(level, bar) {
  return (BAR_COLOURS[level] || BAR_COLOURS.unknown)[bar - 1];
}

export function qualityDetail(q) {
  return `${q.rttMs} ms · ${q.lossPct ?? 0}% · ↓${q.kbpsIn} ↑${q.kbpsOut} kbps`;
}
