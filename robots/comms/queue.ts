/**
 * Reading the company queue from the cursor: keyset enumeration of crm.company.list (`>ID` from the cursor, order by
 * ID, `start=-1`, PROTOCOL §5.5), up to 50 pages chained in one batch request by the client — 2000 companies are one
 * request. Ranges come from plan.ts: after the cursor to the end, then (the wrap) from the lowest id up to the week's
 * start cursor.
 */
import type { B24 } from '../../src/bitrix/types';
import type { QueueCompany, QueueRange } from './plan';

export interface QueueRead {
  companies: QueueCompany[];
  /** The read went into the wrapping range. */
  wrapped: boolean;
}

export async function readQueue(
  b24: B24,
  ranges: QueueRange[],
  wanted: number,
  queueFilter: Record<string, unknown>,
): Promise<QueueRead> {
  const companies: QueueCompany[] = [];
  let wrapped = false;
  for (const range of ranges) {
    const remaining = wanted - companies.length;
    if (remaining <= 0) break;
    if (range.wraps) wrapped = true;
    const filter: Record<string, unknown> = { ...queueFilter, '>ID': range.after };
    if (range.upTo !== null) filter['<=ID'] = range.upTo;
    for await (const page of b24.listPages<Record<string, unknown>>(
      'crm.company.list',
      { filter, select: ['ID', 'TITLE'] },
      { limit: remaining },
    )) {
      for (const row of page) companies.push({ id: Number(row.ID), title: String(row.TITLE ?? '') });
    }
  }
  return { companies: companies.slice(0, wanted), wrapped };
}
