/** Waiting until the portal and the service have nothing left to do: no POST in flight, no run pending, no workflow
 *  waiting. Polls the store briefly because the service's worker runs on its own. */
import type { App } from '../app';
import type { PortalCore } from '../sandbox/contract';
import { whenDelivered, whenIdle } from '../sandbox/bizproc';

export async function waitUntilIdle(app: App, portal: PortalCore, options: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let quietRounds = 0;
  while (true) {
    await whenDelivered(portal);
    const counts = await app.store.countRunsByState();
    const busy = counts.queued + counts.running + counts.waiting;
    // Two quiet looks in a row: a run that finished may have started the workflow's next step in between.
    quietRounds = busy === 0 ? quietRounds + 1 : 0;
    if (quietRounds >= 2) {
      await whenIdle(portal, { timeoutMs: Math.max(1, deadline - Date.now()) });
      return;
    }
    if (Date.now() > deadline) throw new Error(`the service still has ${busy} runs to do after ${options.timeoutMs ?? 60_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
