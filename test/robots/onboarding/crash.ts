/** A Bitrix24 client that "kills the worker" right after a chosen call succeeded on the portal, a given number of times. */
import type { B24, BitrixClient, RestParams } from '../../../src/bitrix/types';

export class SimulatedCrash extends Error {
  constructor(method: string) {
    super(`the worker died right after ${method} succeeded`);
    this.name = 'SimulatedCrash';
  }
}

export function crashAfter(real: BitrixClient, method: string, times = 1): BitrixClient & { crashes: number } {
  let left = times;
  const wrapper = {
    crashes: 0,
    metrics: real.metrics,
    // The real client belongs to the service, which closes it.
    close: async () => undefined,
    forPortal(memberId: string, options?: { userId?: number | null }): B24 {
      const b24 = real.forPortal(memberId, options);
      const after = <T>(name: string, result: T): T => {
        if (name.toLowerCase() === method && left > 0) {
          left -= 1;
          wrapper.crashes += 1;
          throw new SimulatedCrash(name);
        }
        return result;
      };
      return {
        memberId,
        call: async (name: string, params?: RestParams) => after(name, await b24.call(name, params)),
        callRaw: async (name: string, params?: RestParams) => after(name, await b24.callRaw(name, params)),
        batch: (commands, batchOptions) => b24.batch(commands, batchOptions),
        listAll: (name, params, listOptions) => b24.listAll(name, params, listOptions),
        listPages: (name, params) => b24.listPages(name, params),
      };
    },
  };
  return wrapper;
}
