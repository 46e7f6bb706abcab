/**
 * lists.element.get|add (b24-docs lists/elements; PROTOCOL §6.8). Property values come keyed by their value-row id,
 * dates (element `DATE_CREATE` and date properties) in the portal's culture format; errors
 * `ERROR_REQUIRED_PARAMETERS_MISSING`, `ERROR_IBLOCK_NOT_FOUND`, `ERROR_ELEMENT_ALREADY_EXISTS`, `ERROR_ADD_ELEMENT`.
 */
import { listAnswer, RestError, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { formatCulture, parseDateInput } from './dates';
import { addElement, findIblock, listsState, type Iblock, type ListElement } from './lists-store';
import { asList, isPlainObject, paramCi, startParam, toId, toInt } from './params';
import { compileFilter, compileOrder, pageRows, selectRows, type QueryField, type QuerySchema } from './query';

const missing = (name: string): RestError => new RestError(400, 'ERROR_REQUIRED_PARAMETERS_MISSING', `Required parameter "${name}" is missing`);

function iblockParam(ctx: MethodContext): Iblock {
  const typeId = paramCi(ctx.params, 'IBLOCK_TYPE_ID');
  if (typeId === undefined || typeId === '') throw missing('IBLOCK_TYPE_ID');
  const id = paramCi(ctx.params, 'IBLOCK_ID');
  const code = paramCi(ctx.params, 'IBLOCK_CODE');
  if ((id === undefined || id === '') && (code === undefined || code === '')) throw missing('IBLOCK_ID');
  const iblock = findIblock(ctx.portal, String(typeId), { id: id === '' ? undefined : id, code });
  if (!iblock) throw new RestError(400, 'ERROR_IBLOCK_NOT_FOUND', 'Iblock not found');
  return iblock;
}

function culture(portal: PortalCore, stored: string, withTime: boolean): string {
  const ms = parseDateInput(stored, portal.timeZone);
  return ms === null ? stored : formatCulture(ms, portal.timeZone, portal.culture, withTime);
}

function elementJson(portal: PortalCore, iblock: Iblock, e: ListElement, select: string[]): Record<string, unknown> {
  const full: Record<string, unknown> = {
    ID: String(e.id),
    IBLOCK_ID: String(e.iblockId),
    NAME: e.name,
    IBLOCK_SECTION_ID: e.sectionId === null ? null : String(e.sectionId),
    CREATED_BY: String(e.createdBy),
    BP_PUBLISHED: 'Y',
    CODE: e.code,
    DATE_CREATE: culture(portal, e.dateCreate, true),
    SORT: String(e.sort),
  };
  for (const prop of iblock.properties) {
    const rows = e.values[String(prop.id)] ?? [];
    if (rows.length === 0) continue;
    const print = (v: string): string => (prop.type === 'S:Date' ? culture(portal, v, false) : prop.type === 'S:DateTime' ? culture(portal, v, true) : v);
    full[`PROPERTY_${prop.id}`] = Object.fromEntries(rows.map((r) => [String(r.id), print(r.value)]));
  }
  if (select.length === 0) return full;
  return Object.fromEntries(Object.entries(full).filter(([k]) => select.includes(k)));
}

function elementSchema(portal: PortalCore, iblock: Iblock): QuerySchema<ListElement> {
  const fields: Record<string, QueryField<ListElement>> = {
    ID: { kind: 'number', get: (e) => e.id },
    NAME: { kind: 'string', get: (e) => e.name },
    CODE: { kind: 'string', get: (e) => e.code },
    IBLOCK_SECTION_ID: { kind: 'number', get: (e) => e.sectionId },
    CREATED_BY: { kind: 'number', get: (e) => e.createdBy },
    DATE_CREATE: { kind: 'date', get: (e) => e.dateCreate },
    SORT: { kind: 'number', get: (e) => e.sort },
  };
  for (const prop of iblock.properties) {
    const kind = prop.type === 'S:Date' || prop.type === 'S:DateTime' ? 'date' : prop.type === 'S' ? 'string' : 'number';
    fields[`PROPERTY_${prop.id}`] = { kind, get: (e) => (e.values[String(prop.id)] ?? []).map((r) => r.value) };
  }
  return { timeZone: portal.timeZone, field: (name) => fields[name.toUpperCase()] };
}

function get(ctx: MethodContext): unknown {
  const iblock = iblockParam(ctx);
  const schema = elementSchema(ctx.portal, iblock);
  const elementId = toId(paramCi(ctx.params, 'ELEMENT_ID'));
  const elementCode = paramCi(ctx.params, 'ELEMENT_CODE');
  // `"NAME": "%Test%"` (the docs example) is a LIKE pattern
  const predicate = compileFilter(paramCi(ctx.params, 'FILTER'), schema, { percentMeansLike: true });
  const order = paramCi(ctx.params, 'ELEMENT_ORDER');
  const comparator = compileOrder(isPlainObject(order) && Object.keys(order).length > 0 ? order : { ID: 'ASC' }, schema);
  const candidates = Object.values(listsState(ctx.portal).elements).filter((e) =>
    e.iblockId === iblock.id && (elementId === null || e.id === elementId) && (elementCode === undefined || e.code === String(elementCode)));
  const rows = selectRows(candidates, predicate, comparator);
  const page = pageRows(rows, startParam(ctx.params), { negativeSkipsCount: true });
  const select = asList(paramCi(ctx.params, 'SELECT')).map((s) => String(s).toUpperCase());
  return listAnswer(page.rows.map((e) => elementJson(ctx.portal, iblock, e, select)), page.total, page.next);
}

function add(ctx: MethodContext): unknown {
  const iblock = iblockParam(ctx);
  const code = paramCi(ctx.params, 'ELEMENT_CODE');
  if (code === undefined || code === null || String(code).trim() === '') throw missing('ELEMENT_CODE');
  const fields = paramCi(ctx.params, 'FIELDS');
  if (!isPlainObject(fields)) throw missing('FIELDS');
  const state = listsState(ctx.portal);
  if (Object.values(state.elements).some((e) => e.iblockId === iblock.id && e.code === String(code))) {
    throw new RestError(400, 'ERROR_ELEMENT_ALREADY_EXISTS', 'Element already exists');
  }
  const name = String(paramCi(fields, 'NAME') ?? '').trim();
  if (name === '') throw new RestError(400, 'ERROR_ADD_ELEMENT', 'Please enter the element name.');
  const element = addElement(ctx.portal, iblock, {
    code: String(code),
    name,
    sectionId: toInt(paramCi(ctx.params, 'IBLOCK_SECTION_ID')) || null,
    fields,
  }, ctx.auth.userId, ctx.now);
  return element.id;
}

export function registerListMethods(registry: MethodRegistry): void {
  registry.register('lists.element.get', get, { scope: 'lists', cost: 0.1 });
  registry.register('lists.element.add', add, { scope: 'lists', cost: 0.15 });
}
