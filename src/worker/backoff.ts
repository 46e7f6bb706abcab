/** Delays between attempts of a run: exponential with jitter, so runs failing together do not return together. */
export type Backoff = (attempt: number) => number;

export function exponentialBackoff(options: { baseMs?: number; maxMs?: number; random?: () => number } = {}): Backoff {
  const baseMs = options.baseMs ?? 10_000;
  const maxMs = options.maxMs ?? 10 * 60_000;
  const random = options.random ?? Math.random;
  return (attempt) => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };
}
