import { parseDocumentId } from '../../src/activities/document';

describe('document_id is read like the official template (PROTOCOL §2.3)', () => {
  it.each([
    [['crm', 'CCrmDocumentDeal', 'DEAL_123'], 'deal', 123, 2],
    [['crm', 'CCrmDocumentLead', 'LEAD_7'], 'lead', 7, 1],
    [['crm', 'CCrmDocumentContact', 'CONTACT_9'], 'contact', 9, 3],
    [['crm', 'CCrmDocumentCompany', 'COMPANY_41'], 'company', 41, 4],
    [['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Quote', 'QUOTE_5'], 'quote', 5, 7],
    [['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\SmartInvoice', 'SMART_INVOICE_12'], 'smart_invoice', 12, 31],
    [['crm', 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic', 'DYNAMIC_128_6'], 'dynamic', 6, 128],
    [['lists', 'BizprocDocument', '448'], 'other', 448, null],
    [['crm', 'CCrmActivity', 'ACTIVITY_77'], 'other', 77, null],
  ])('%j is a %s with id %d', (raw, kind, id, entityTypeId) => {
    expect(parseDocumentId(raw)).toEqual({ raw, kind, id, entityTypeId });
  });

  it('gives null for runs without a document', () => {
    expect(parseDocumentId(null)).toBeNull();
    expect(parseDocumentId(['crm'])).toBeNull();
  });
});
