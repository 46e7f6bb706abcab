/**
 * `document_id` / `document_type` of CRM documents as bizproc names them (PROTOCOL §2.3), and stage fields.
 */

const DOC = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\';

const FIXED: Record<number, { className: string; type: string }> = {
  1: { className: 'CCrmDocumentLead', type: 'LEAD' },
  2: { className: 'CCrmDocumentDeal', type: 'DEAL' },
  3: { className: 'CCrmDocumentContact', type: 'CONTACT' },
  4: { className: 'CCrmDocumentCompany', type: 'COMPANY' },
  7: { className: `${DOC}Quote`, type: 'QUOTE' },
  31: { className: `${DOC}SmartInvoice`, type: 'SMART_INVOICE' },
};

function describe(entityTypeId: number): { className: string; type: string } {
  const fixed = FIXED[entityTypeId];
  if (fixed) return fixed;
  if (entityTypeId >= 128) return { className: `${DOC}Dynamic`, type: `DYNAMIC_${entityTypeId}` };
  throw new RangeError(`entityTypeId ${entityTypeId} has no bizproc document: use 1, 2, 3, 4, 7, 31 or a smart process (≥128)`);
}

export function documentTypeOf(entityTypeId: number): [string, string, string] {
  const { className, type } = describe(entityTypeId);
  return ['crm', className, type];
}

export function documentIdOf(entityTypeId: number, id: number): [string, string, string] {
  const { className, type } = describe(entityTypeId);
  return ['crm', className, `${type}_${id}`];
}

/** `['crm', 'CCrmDocumentCompany', 'COMPANY_5']` → {4, 5}; null when it names no CRM document we know. */
export function parseDocumentId(value: unknown): { entityTypeId: number; id: number } | null {
  if (!Array.isArray(value) || value.length !== 3 || value[0] !== 'crm') return null;
  const [, className, documentId] = value.map(String);
  const dynamic = /^DYNAMIC_(\d+)_(\d+)$/.exec(documentId);
  if (dynamic && className === `${DOC}Dynamic`) return { entityTypeId: Number(dynamic[1]), id: Number(dynamic[2]) };
  for (const [entityTypeId, fixed] of Object.entries(FIXED)) {
    const match = new RegExp(`^${fixed.type}_(\\d+)$`).exec(documentId);
    if (match && className === fixed.className) return { entityTypeId: Number(entityTypeId), id: Number(match[1]) };
  }
  return null;
}

/** Leads and quotes keep their stage in STATUS_ID, every other entity in STAGE_ID. */
export function stageOf(entityTypeId: number, fields: Record<string, unknown> | null | undefined): string | null {
  if (!fields) return null;
  const value = entityTypeId === 1 || entityTypeId === 7 ? (fields.STATUS_ID ?? fields.STAGE_ID) : fields.STAGE_ID;
  return value === undefined || value === null || value === '' ? null : String(value);
}

/** The pipeline of a stage id: `C3:NEW` → 3, `DT128_5:NEW` → 5, `DT31_2:N` → 2, `NEW` → 0. */
export function categoryOfStage(stageId: string): number {
  const deal = /^C(\d+):/.exec(stageId);
  if (deal) return Number(deal[1]);
  const dynamic = /^DT\d+_(\d+):/.exec(stageId);
  if (dynamic) return Number(dynamic[1]);
  return 0;
}

/** Who changed the document, as far as its fields tell: the last modifier, else the responsible; 0 when unknown. */
export function actorOf(fields: Record<string, unknown>): number {
  return Number(fields.MODIFY_BY_ID ?? fields.ASSIGNED_BY_ID ?? 0) || 0;
}
