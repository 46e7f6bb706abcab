/**
 * The catalogue of CRM fields per entity type, with the three names a field has on the wire:
 * - `camel`: crm.item.* (`assignedById`, `createdTime`, `ufCrmTariffType`);
 * - `upper`: its UPPER_SNAKE form, also accepted by crm.item.* ("any field names in all methods can be passed in
 *   either UPPER_CASE or camelCase", b24-docs crm/universal/index.md);
 * - `legacy`: crm.deal.* / crm.company.* names (`DATE_CREATE`, `CREATED_BY_ID`, `COMPANY_TYPE`, lead `STATUS_ID`).
 *   Smart invoices and SPAs have no legacy methods; their legacy name is the UPPER form, as their bizproc documents use.
 * Records are stored by camel name. Field order follows the docs' response examples.
 */
import type { UserFieldDef } from './userfields';

export type CrmFieldType =
  | 'id' | 'int' | 'user' | 'ref' | 'double' | 'money' | 'string' | 'char' | 'date' | 'datetime' | 'intList' | 'uf';

export interface CrmField {
  camel: string;
  upper: string;
  legacy: string;
  type: CrmFieldType;
  /** Not writable through REST (computed or system); the sandbox API may still set it. */
  readOnly?: boolean;
  /** Only in crm.item.* answers (legacy answers do not have it). */
  itemOnly?: boolean;
  /** Accepted as legacy input but not printed in legacy answers (a deal's CONTACT_IDS). */
  legacyInputOnly?: boolean;
  uf?: UserFieldDef;
  /** Title used in validation messages. */
  title?: string;
}

type Row = [camel: string, legacy: string | null, type: CrmFieldType, flags?: string];

/** `createdTime` → `CREATED_TIME`. */
export function camelToUpper(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/**
 * `UF_CRM_TARIFF_TYPE` → `ufCrmTariffType`; underscores between digit groups are kept (`UF_CRM_2_1639669411830` →
 * `ufCrm2_1639669411830`), and a bare numeric suffix keeps its underscore (`UF_CRM_1721244707107` →
 * `ufCrm_1721244707107`), as in the b24-docs examples.
 */
export function ufCamelName(code: string): string {
  const parts = code.toLowerCase().split('_').filter((p) => p !== '');
  if (parts.length === 3 && parts[0] === 'uf' && parts[1] === 'crm' && /^\d+$/.test(parts[2])) return `ufCrm_${parts[2]}`;
  let out = parts[0] ?? '';
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i];
    const prevDigit = /\d$/.test(out);
    const curDigit = /^\d/.test(p);
    out += prevDigit && curDigit ? `_${p}` : p.charAt(0).toUpperCase() + p.slice(1);
  }
  return out;
}

const COMMON_HEAD: Row[] = [
  ['id', 'ID', 'id', 'ro'],
];

const DEAL: Row[] = [
  ...COMMON_HEAD,
  ['title', 'TITLE', 'string'],
  ['typeId', 'TYPE_ID', 'string'],
  ['stageId', 'STAGE_ID', 'string'],
  ['probability', 'PROBABILITY', 'int'],
  ['currencyId', 'CURRENCY_ID', 'string'],
  ['opportunity', 'OPPORTUNITY', 'money'],
  ['isManualOpportunity', 'IS_MANUAL_OPPORTUNITY', 'char'],
  ['taxValue', 'TAX_VALUE', 'money'],
  ['leadId', 'LEAD_ID', 'ref'],
  ['companyId', 'COMPANY_ID', 'ref'],
  ['contactId', 'CONTACT_ID', 'ref'],
  ['quoteId', 'QUOTE_ID', 'ref'],
  ['begindate', 'BEGINDATE', 'date'],
  ['closedate', 'CLOSEDATE', 'date'],
  ['assignedById', 'ASSIGNED_BY_ID', 'user'],
  ['createdBy', 'CREATED_BY_ID', 'user', 'ro'],
  ['updatedBy', 'MODIFY_BY_ID', 'user', 'ro'],
  ['createdTime', 'DATE_CREATE', 'datetime', 'ro'],
  ['updatedTime', 'DATE_MODIFY', 'datetime', 'ro'],
  ['opened', 'OPENED', 'char'],
  ['closed', 'CLOSED', 'char', 'ro'],
  ['comments', 'COMMENTS', 'string'],
  ['additionalInfo', 'ADDITIONAL_INFO', 'string'],
  ['locationId', 'LOCATION_ID', 'string'],
  ['categoryId', 'CATEGORY_ID', 'int'],
  ['stageSemanticId', 'STAGE_SEMANTIC_ID', 'string', 'ro'],
  ['isNew', 'IS_NEW', 'char', 'ro'],
  ['isRecurring', 'IS_RECURRING', 'char'],
  ['isReturnCustomer', 'IS_RETURN_CUSTOMER', 'char'],
  ['isRepeatedApproach', 'IS_REPEATED_APPROACH', 'char'],
  ['sourceId', 'SOURCE_ID', 'string'],
  ['sourceDescription', 'SOURCE_DESCRIPTION', 'string'],
  ['originatorId', 'ORIGINATOR_ID', 'string'],
  ['originId', 'ORIGIN_ID', 'string'],
  ['movedBy', 'MOVED_BY_ID', 'user', 'ro'],
  ['movedTime', 'MOVED_TIME', 'datetime', 'ro'],
  ['lastActivityTime', 'LAST_ACTIVITY_TIME', 'datetime', 'ro'],
  ['lastActivityBy', 'LAST_ACTIVITY_BY', 'user', 'ro'],
  ['utmSource', 'UTM_SOURCE', 'string'],
  ['utmMedium', 'UTM_MEDIUM', 'string'],
  ['utmCampaign', 'UTM_CAMPAIGN', 'string'],
  ['utmContent', 'UTM_CONTENT', 'string'],
  ['utmTerm', 'UTM_TERM', 'string'],
  ['observers', null, 'intList'],
  ['contactIds', 'CONTACT_IDS', 'intList', 'in'],
];

const COMPANY: Row[] = [
  ...COMMON_HEAD,
  ['typeId', 'COMPANY_TYPE', 'string'],
  ['title', 'TITLE', 'string'],
  ['logo', 'LOGO', 'string'],
  ['leadId', 'LEAD_ID', 'ref'],
  ['hasPhone', 'HAS_PHONE', 'char', 'ro'],
  ['hasEmail', 'HAS_EMAIL', 'char', 'ro'],
  ['hasImol', 'HAS_IMOL', 'char', 'ro'],
  ['assignedById', 'ASSIGNED_BY_ID', 'user'],
  ['createdBy', 'CREATED_BY_ID', 'user', 'ro'],
  ['updatedBy', 'MODIFY_BY_ID', 'user', 'ro'],
  ['bankingDetails', 'BANKING_DETAILS', 'string'],
  ['industry', 'INDUSTRY', 'string'],
  ['revenue', 'REVENUE', 'double'],
  ['currencyId', 'CURRENCY_ID', 'string'],
  ['employees', 'EMPLOYEES', 'string'],
  ['comments', 'COMMENTS', 'string'],
  ['createdTime', 'DATE_CREATE', 'datetime', 'ro'],
  ['updatedTime', 'DATE_MODIFY', 'datetime', 'ro'],
  ['opened', 'OPENED', 'char'],
  ['isMyCompany', 'IS_MY_COMPANY', 'char'],
  ['originatorId', 'ORIGINATOR_ID', 'string'],
  ['originId', 'ORIGIN_ID', 'string'],
  ['originVersion', 'ORIGIN_VERSION', 'string'],
  ['utmSource', 'UTM_SOURCE', 'string'],
  ['utmMedium', 'UTM_MEDIUM', 'string'],
  ['utmCampaign', 'UTM_CAMPAIGN', 'string'],
  ['utmContent', 'UTM_CONTENT', 'string'],
  ['utmTerm', 'UTM_TERM', 'string'],
  ['lastActivityBy', 'LAST_ACTIVITY_BY', 'user', 'ro'],
  ['lastActivityTime', 'LAST_ACTIVITY_TIME', 'datetime', 'ro'],
  ['lastCommunicationTime', 'LAST_COMMUNICATION_TIME', 'datetime', 'ro'],
  ['categoryId', null, 'int', 'ro'],
  ['observers', null, 'intList'],
  ['contactIds', 'CONTACT_ID', 'intList', 'in'],
];

const CONTACT: Row[] = [
  ...COMMON_HEAD,
  ['honorific', 'HONORIFIC', 'string'],
  ['name', 'NAME', 'string'],
  ['secondName', 'SECOND_NAME', 'string'],
  ['lastName', 'LAST_NAME', 'string'],
  ['birthdate', 'BIRTHDATE', 'date'],
  ['typeId', 'TYPE_ID', 'string'],
  ['sourceId', 'SOURCE_ID', 'string'],
  ['sourceDescription', 'SOURCE_DESCRIPTION', 'string'],
  ['post', 'POST', 'string'],
  ['comments', 'COMMENTS', 'string'],
  ['opened', 'OPENED', 'char'],
  ['hasPhone', 'HAS_PHONE', 'char', 'ro'],
  ['hasEmail', 'HAS_EMAIL', 'char', 'ro'],
  ['hasImol', 'HAS_IMOL', 'char', 'ro'],
  ['assignedById', 'ASSIGNED_BY_ID', 'user'],
  ['createdBy', 'CREATED_BY_ID', 'user', 'ro'],
  ['updatedBy', 'MODIFY_BY_ID', 'user', 'ro'],
  ['createdTime', 'DATE_CREATE', 'datetime', 'ro'],
  ['updatedTime', 'DATE_MODIFY', 'datetime', 'ro'],
  ['companyId', 'COMPANY_ID', 'ref'],
  ['leadId', 'LEAD_ID', 'ref'],
  ['originatorId', 'ORIGINATOR_ID', 'string'],
  ['originId', 'ORIGIN_ID', 'string'],
  ['lastActivityBy', 'LAST_ACTIVITY_BY', 'user', 'ro'],
  ['lastActivityTime', 'LAST_ACTIVITY_TIME', 'datetime', 'ro'],
  ['utmSource', 'UTM_SOURCE', 'string'],
  ['utmMedium', 'UTM_MEDIUM', 'string'],
  ['utmCampaign', 'UTM_CAMPAIGN', 'string'],
  ['utmContent', 'UTM_CONTENT', 'string'],
  ['utmTerm', 'UTM_TERM', 'string'],
  ['categoryId', null, 'int', 'ro'],
  ['observers', null, 'intList'],
  ['companyIds', 'COMPANY_IDS', 'intList', 'in'],
];

const LEAD: Row[] = [
  ...COMMON_HEAD,
  ['title', 'TITLE', 'string'],
  ['honorific', 'HONORIFIC', 'string'],
  ['name', 'NAME', 'string'],
  ['secondName', 'SECOND_NAME', 'string'],
  ['lastName', 'LAST_NAME', 'string'],
  ['companyTitle', 'COMPANY_TITLE', 'string'],
  ['companyId', 'COMPANY_ID', 'ref'],
  ['contactId', 'CONTACT_ID', 'ref'],
  ['isReturnCustomer', 'IS_RETURN_CUSTOMER', 'char'],
  ['birthdate', 'BIRTHDATE', 'date'],
  ['sourceId', 'SOURCE_ID', 'string'],
  ['sourceDescription', 'SOURCE_DESCRIPTION', 'string'],
  ['stageId', 'STATUS_ID', 'string'],
  ['statusDescription', 'STATUS_DESCRIPTION', 'string'],
  ['post', 'POST', 'string'],
  ['currencyId', 'CURRENCY_ID', 'string'],
  ['opportunity', 'OPPORTUNITY', 'money'],
  ['isManualOpportunity', 'IS_MANUAL_OPPORTUNITY', 'char'],
  ['hasPhone', 'HAS_PHONE', 'char', 'ro'],
  ['hasEmail', 'HAS_EMAIL', 'char', 'ro'],
  ['hasImol', 'HAS_IMOL', 'char', 'ro'],
  ['opened', 'OPENED', 'char'],
  ['comments', 'COMMENTS', 'string'],
  ['assignedById', 'ASSIGNED_BY_ID', 'user'],
  ['createdBy', 'CREATED_BY_ID', 'user', 'ro'],
  ['updatedBy', 'MODIFY_BY_ID', 'user', 'ro'],
  ['movedBy', 'MOVED_BY_ID', 'user', 'ro'],
  ['createdTime', 'DATE_CREATE', 'datetime', 'ro'],
  ['updatedTime', 'DATE_MODIFY', 'datetime', 'ro'],
  ['movedTime', 'MOVED_TIME', 'datetime', 'ro'],
  ['dateClosed', 'DATE_CLOSED', 'datetime', 'ro'],
  ['stageSemanticId', 'STATUS_SEMANTIC_ID', 'string', 'ro'],
  ['originatorId', 'ORIGINATOR_ID', 'string'],
  ['originId', 'ORIGIN_ID', 'string'],
  ['lastActivityBy', 'LAST_ACTIVITY_BY', 'user', 'ro'],
  ['lastActivityTime', 'LAST_ACTIVITY_TIME', 'datetime', 'ro'],
  ['utmSource', 'UTM_SOURCE', 'string'],
  ['utmMedium', 'UTM_MEDIUM', 'string'],
  ['utmCampaign', 'UTM_CAMPAIGN', 'string'],
  ['utmContent', 'UTM_CONTENT', 'string'],
  ['utmTerm', 'UTM_TERM', 'string'],
  ['observers', null, 'intList'],
  ['contactIds', null, 'intList'],
];

/** Smart invoices (31) and SPAs (≥128): the D7 item fields (b24-docs crm-item-add.md, tabs Invoice and SPA). */
function d7Rows(withComments: boolean): Row[] {
  const rows: Row[] = [
    ...COMMON_HEAD,
    ['xmlId', null, 'string'],
    ['title', null, 'string'],
    ['createdBy', null, 'user', 'ro'],
    ['updatedBy', null, 'user', 'ro'],
    ['movedBy', null, 'user', 'ro'],
    ['createdTime', null, 'datetime', 'ro'],
    ['updatedTime', null, 'datetime', 'ro'],
    ['movedTime', null, 'datetime', 'ro'],
    ['categoryId', null, 'int'],
    ['opened', null, 'char'],
    ['stageId', null, 'string'],
    ['previousStageId', null, 'string', 'ro'],
    ['stageSemanticId', null, 'string', 'ro'],
    ['begindate', null, 'date'],
    ['closedate', null, 'date'],
    ['companyId', null, 'ref'],
    ['contactId', null, 'ref'],
    ['opportunity', null, 'money'],
    ['isManualOpportunity', null, 'char'],
    ['taxValue', null, 'money'],
    ['currencyId', null, 'string'],
    ['mycompanyId', null, 'ref'],
    ['sourceId', null, 'string'],
    ['sourceDescription', null, 'string'],
    ['webformId', null, 'int'],
    ['assignedById', null, 'user'],
    ['lastActivityBy', null, 'user', 'ro'],
    ['lastActivityTime', null, 'datetime', 'ro'],
  ];
  if (withComments) rows.push(['comments', null, 'string']);
  rows.push(['observers', null, 'intList'], ['contactIds', null, 'intList']);
  return rows;
}

const TABLES: Record<string, Row[]> = {
  '1': LEAD,
  '2': DEAL,
  '3': CONTACT,
  '4': COMPANY,
  '31': d7Rows(true),
  dynamic: d7Rows(false),
};

const FIELD_TITLES: Record<string, string> = {
  stageId: 'Stage', categoryId: 'Pipeline', currencyId: 'Currency', assignedById: 'Responsible person',
  title: 'Name', companyId: 'Company', contactId: 'Contact',
};

/** Flags: `ro` read-only, `in` legacy input only. In the lead/deal/contact/company tables a null legacy name marks
 *  a crm.item-only field; D7 types (31, SPA) have no legacy methods, so their legacy name is the UPPER form. */
function build(rows: Row[], d7: boolean): CrmField[] {
  return rows.map(([camel, legacy, type, flags = '']) => {
    const upper = camelToUpper(camel);
    const f: CrmField = { camel, upper, legacy: legacy ?? upper, type, title: FIELD_TITLES[camel] ?? camel };
    if (flags.split(',').includes('ro')) f.readOnly = true;
    if (flags.split(',').includes('in')) f.legacyInputOnly = true;
    if (!d7 && legacy === null) f.itemOnly = true;
    return f;
  });
}

const BUILT = new Map<string, CrmField[]>();

/** The system fields of an entity type (without user fields and parent links). */
export function systemFields(entityTypeId: number): CrmField[] {
  const key = entityTypeId >= 128 ? 'dynamic' : String(entityTypeId);
  let fields = BUILT.get(key);
  if (!fields) {
    fields = build(TABLES[key] ?? [], key === '31' || key === 'dynamic');
    BUILT.set(key, fields);
  }
  return fields;
}

/** A user field as a catalogue entry: `ufCrmTariffType` / `UF_CRM_TARIFF_TYPE`. */
export function ufField(def: UserFieldDef): CrmField {
  return { camel: ufCamelName(def.code), upper: def.code, legacy: def.code, type: 'uf', uf: def, title: def.label ?? def.code };
}

/** A parent link field `parentId<N>` / `PARENT_ID_<N>` (b24-docs crm-item-add.md "parentId..."). */
export function parentField(parentEntityTypeId: number): CrmField {
  return {
    camel: `parentId${parentEntityTypeId}`,
    upper: `PARENT_ID_${parentEntityTypeId}`,
    legacy: `PARENT_ID_${parentEntityTypeId}`,
    type: 'ref',
    title: `parentId${parentEntityTypeId}`,
  };
}

/** Parses `parentId2` / `PARENT_ID_2` / `parentid2` into the parent entity type id. */
export function parentIdOf(name: string): number | null {
  const m = /^(?:parentId|PARENT_ID_)(\d+)$/i.exec(name);
  return m ? Number(m[1]) : null;
}

/** Multifield groups of legacy answers; `fm` in crm.item (b24-docs crm data-types.md crm_multifield). */
export const MULTIFIELD_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'] as const;
export type MultifieldType = (typeof MULTIFIELD_TYPES)[number];

export function hasMultifields(entityTypeId: number): boolean {
  return entityTypeId === 1 || entityTypeId === 3 || entityTypeId === 4;
}
