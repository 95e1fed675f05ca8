// Performance marks of the room's milestones (read by bench/room_bench.py): each is set once per page.

export function mark(name) {
  if (performance.getEntriesByName(name).length === 0) performance.mark(name);
}
