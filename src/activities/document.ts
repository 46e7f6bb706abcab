/**
 * `document_id` → DocumentRef (PROTOCOL §2.3). The id is the trailing `_(\d+)$` of document_id[2], as the official
 * template does; dynamic types carry their entityTypeId in `DYNAMIC_<entityTypeId>_<id>`.
 */
import type { DocumentKind, DocumentRef } from './types';

const DYNAMIC_CLASS = 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic';

/** Document class, entity type id and the DOCUMENT_TYPE triple of each CRM kind (PROTOCOL §1.2, §5.6). */
export const DOCUMENT_KINDS: Record<DocumentKind, { module: 'crm'; className: string; type: string | null; entityTypeId: number | null }> = {
  lead: { module: 'crm', className: 'CCrmDocumentLead', type: 'LEAD', entityTypeId: 1 },
  deal: { module: 'crm', className: 'CCrmDocumentDeal', type: 'DEAL', entityTypeId: 2 },
  contact: { module: 'crm', className: 'CCrmDocumentContact', type: 'CONTACT', entityTypeId: 3 },
  company: { module: 'crm', className: 'CCrmDocumentCompany', type: 'COMPANY', entityTypeId: 4 },
  quote: { module: 'crm', className: 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote', type: 'QUOTE', entityTypeId: 7 },
  smart_invoice: {
    module: 'crm',
    className: 'Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice',
    type: 'SMART_INVOICE',
    entityTypeId: 31,
  },
  // DYNAMIC_<entityTypeId>: the type depends on the smart process, so there is no fixed triple.
  dynamic: { module: 'crm', className: DYNAMIC_CLASS, type: null, entityTypeId: null },
};

/** Kinds whose documents have automation rules (robots); companies and contacts have none (RULES.md). */
export const AUTOMATION_KINDS: ReadonlySet<DocumentKind> = new Set<DocumentKind>(['lead', 'deal', 'smart_invoice', 'dynamic', 'quote']);

export const ALL_KINDS = Object.keys(DOCUMENT_KINDS) as DocumentKind[];

/** Parses a `document_id` triple; null when it is absent or not a triple of strings. */
export function parseDocumentId(raw: readonly unknown[] | null | undefined): DocumentRef | null {
  if (!Array.isArray(raw) || raw.length < 3 || !raw.every((part) => typeof part === 'string')) return null;
  const parts = raw.map(String);
  const [module, className, documentId] = parts;
  const idMatch = /(?:^|_)(\d+)$/.exec(documentId);
  const id = idMatch ? Number(idMatch[1]) : NaN;

  let kind: DocumentKind | 'other' = 'other';
  let entityTypeId: number | null = null;
  if (module === 'crm') {
    for (const candidate of ALL_KINDS) {
      if (DOCUMENT_KINDS[candidate].className.toLowerCase() === className.toLowerCase()) kind = candidate;
    }
    if (kind === 'dynamic') {
      const dynamic = /^DYNAMIC_(\d+)_\d+$/i.exec(documentId);
      entityTypeId = dynamic ? Number(dynamic[1]) : null;
    } else if (kind !== 'other') {
      entityTypeId = DOCUMENT_KINDS[kind].entityTypeId;
    }
  }
  return { raw: parts, kind, id, entityTypeId };
}
