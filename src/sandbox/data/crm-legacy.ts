/**
 * The legacy CRM entity methods (`crm.deal.*`, `crm.company.*`): case-insensitive parameter names (the docs send
 * `FIELDS`, `ID`, `FILTER`), answers with UPPER_CASE string fields, `{"result": 394}` for add and `true` for update,
 * errors with an empty code and a description ("Not found", "ID is not defined or invalid",
 * "Parameter 'fields' must be array."), list filters with prefixes but no `logic`, and `select` masks `*`/`UF_*`.
 */
import { listAnswer, type MethodContext, type MethodRegistry } from '../contract';
import { toLegacyJson } from './crm-format';
import { crmQuerySchema, isIdAscending } from './crm-query';
import { crmState } from './crm-state';
import { createItem, getRecord, updateItem, type WriteContext } from './crm-store';
import { fieldSet } from './crm-values';
import { asList, isPlainObject, legacyError, paramCi, startParam, toId } from './params';
import { compileFilter, compileOrder, pageRows, selectRows } from './query';

export interface LegacyEntity {
  /** `crm.deal` */
  prefix: string;
  entityTypeId: number;
  /** The description of update's "not found" (company: "Company is not found", deal: "Not found"). */
  updateNotFound: string;
}

function writeContext(ctx: MethodContext): WriteContext {
  return { portal: ctx.portal, userId: ctx.auth.userId, now: ctx.now, api: 'legacy' };
}

function objectParam(ctx: MethodContext, name: string, required: boolean): Record<string, unknown> {
  const value = paramCi(ctx.params, name);
  if (value === undefined && !required) return {};
  if (!isPlainObject(value)) throw legacyError(`Parameter '${name}' must be array.`);
  return value;
}

function idParam(ctx: MethodContext): number {
  const id = toId(paramCi(ctx.params, 'id'));
  if (id === null) throw legacyError('ID is not defined or invalid');
  return id;
}

export function registerLegacyEntity(registry: MethodRegistry, entity: LegacyEntity): void {
  const { prefix, entityTypeId } = entity;

  registry.register(`${prefix}.add`, (ctx) => {
    const fields = objectParam(ctx, 'fields', true);
    objectParam(ctx, 'params', false);
    return createItem(writeContext(ctx), entityTypeId, fields).id;
  }, { scope: 'crm', cost: 0.25 });

  registry.register(`${prefix}.get`, (ctx) => {
    const record = getRecord(ctx.portal, entityTypeId, idParam(ctx));
    if (!record) throw legacyError('Not found');
    return toLegacyJson(ctx.portal, fieldSet(ctx.portal, entityTypeId), record, null);
  }, { scope: 'crm', cost: 0.05 });

  registry.register(`${prefix}.update`, (ctx) => {
    const id = idParam(ctx);
    const fields = objectParam(ctx, 'fields', true);
    objectParam(ctx, 'params', false);
    if (!getRecord(ctx.portal, entityTypeId, id)) throw legacyError(entity.updateNotFound);
    updateItem(writeContext(ctx), entityTypeId, id, fields);
    return true;
  }, { scope: 'crm', cost: 0.25 });

  registry.register(`${prefix}.list`, (ctx) => {
    const filter = objectParam(ctx, 'filter', false);
    const order = objectParam(ctx, 'order', false);
    const fs = fieldSet(ctx.portal, entityTypeId);
    const schema = crmQuerySchema(ctx.portal, fs, 'legacy');
    const predicate = compileFilter(filter, schema); // unknown fields and `logic` are ignored
    const comparator = isIdAscending(order) ? null : compileOrder(order, schema);
    const rows = selectRows(Object.values(crmState(ctx.portal).items[String(entityTypeId)] ?? {}), predicate, comparator);
    const page = pageRows(rows, startParam(ctx.params), { negativeSkipsCount: true });
    const requested = asList(paramCi(ctx.params, 'select')).map(String);
    const select = requested.length > 0 ? requested : ['*', 'UF_*'];
    return listAnswer(page.rows.map((r) => toLegacyJson(ctx.portal, fs, r, select)), page.total, page.next);
  }, { scope: 'crm', cost: 0.2 });
}
