// The one pause the harness allows itself: between polls of a condition, never as a wait for one.
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
