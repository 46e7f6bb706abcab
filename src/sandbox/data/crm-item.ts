/**
 * crm.item.add|get|list|update|delete (b24-docs crm/universal): camelCase parameters, typed camelCase items
 * wrapped in `{item}` / `{items}`, `NOT_FOUND` for an unknown entity type ("Smart process not found") or item
 * ("Element not found"), `INVALID_ARG_VALUE` for filter/order fields that do not exist, `logic: "OR"` filters.
 */
import { RestError, listAnswer, type MethodContext, type MethodRegistry } from '../contract';
import { entityTypeInfo } from './crm-entity-types';
import { toItemJson } from './crm-format';
import { crmQuerySchema, isIdAscending } from './crm-query';
import { crmState, type CrmRecord } from './crm-state';
import { createItem, deleteItem, getRecord, updateItem, type WriteContext } from './crm-store';
import { fieldSet } from './crm-values';
import { asList, isPlainObject, toId, toInt } from './params';
import { compileFilter, compileOrder, pageRows, selectRows } from './query';

/** D7 controllers bind parameters by name; a missing one is error 100 (b24-docs tasks-task-add.md shows the text). */
export function requireD7(ctx: MethodContext, name: string): any {
  const value = ctx.params[name];
  if (value === undefined || value === null || value === '') {
    throw new RestError(400, '100', `Could not find value for parameter {${name}}`);
  }
  return value;
}

function entityType(ctx: MethodContext): number {
  const raw = requireD7(ctx, 'entityTypeId');
  const id = toInt(raw);
  if (id === null || !entityTypeInfo(ctx.portal, id)) throw new RestError(400, 'NOT_FOUND', 'Smart process not found');
  return id;
}

function itemId(ctx: MethodContext): number {
  const id = toId(requireD7(ctx, 'id'));
  if (id === null) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  return id;
}

function fieldsParam(ctx: MethodContext): Record<string, unknown> {
  const fields = requireD7(ctx, 'fields');
  if (!isPlainObject(fields)) throw new RestError(400, '100', 'Invalid value to match with parameter {fields}. Should be value of type array.');
  return fields;
}

function originalUf(ctx: MethodContext): boolean {
  return String(ctx.params.useOriginalUfNames ?? 'N').toUpperCase() === 'Y';
}

function writeContext(ctx: MethodContext): WriteContext {
  return { portal: ctx.portal, userId: ctx.auth.userId, now: ctx.now, api: 'item' };
}

function fullItem(ctx: MethodContext, entityTypeId: number, record: CrmRecord): { item: Record<string, unknown> } {
  const fs = fieldSet(ctx.portal, entityTypeId);
  return { item: toItemJson(ctx.portal, fs, record, { select: 'all', originalUfNames: originalUf(ctx), withFm: true }) };
}

function add(ctx: MethodContext): unknown {
  const entityTypeId = entityType(ctx);
  const record = createItem(writeContext(ctx), entityTypeId, fieldsParam(ctx));
  return fullItem(ctx, entityTypeId, record);
}

function get(ctx: MethodContext): unknown {
  const entityTypeId = entityType(ctx);
  const record = getRecord(ctx.portal, entityTypeId, itemId(ctx));
  if (!record) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  return fullItem(ctx, entityTypeId, record);
}

function update(ctx: MethodContext): unknown {
  const entityTypeId = entityType(ctx);
  const id = itemId(ctx);
  const { record } = updateItem(writeContext(ctx), entityTypeId, id, fieldsParam(ctx));
  return fullItem(ctx, entityTypeId, record);
}

function remove(ctx: MethodContext): unknown {
  const entityTypeId = entityType(ctx);
  deleteItem(writeContext(ctx), entityTypeId, itemId(ctx));
  return [];
}

function list(ctx: MethodContext): unknown {
  const entityTypeId = entityType(ctx);
  const fs = fieldSet(ctx.portal, entityTypeId);
  const schema = crmQuerySchema(ctx.portal, fs, 'item');
  const predicate = compileFilter(ctx.params.filter, schema, {
    allowLogic: true,
    onUnknown: (name) => {
      throw new RestError(400, 'INVALID_ARG_VALUE', `Invalid filter: field '${name}' is not allowed in filter`);
    },
  });
  const comparator = isIdAscending(ctx.params.order) ? null : compileOrder(ctx.params.order, schema, {
    onUnknown: (name) => {
      throw new RestError(400, 'INVALID_ARG_VALUE', `Invalid order: field '${name}' is not allowed in order`);
    },
    onBadDirection: (name, dir) => {
      throw new RestError(400, 'INVALID_ARG_VALUE', `Invalid order: allowed sort directions are ASC, DESC. But got '${dir}' for field '${name}'`);
    },
  });
  const table = crmState(ctx.portal).items[String(entityTypeId)] ?? {};
  const rows = selectRows(Object.values(table), predicate, comparator);
  const page = pageRows(rows, toInt(ctx.params.start) ?? 0, { negativeSkipsCount: true });
  const requested = asList(ctx.params.select ?? ['*']).map(String);
  const all = requested.length === 0 || requested.includes('*');
  const select = all ? 'all' : new Set(requested.map((n) => fs.resolveItem(n)?.camel ?? n).filter(Boolean));
  const items = page.rows.map((r) => toItemJson(ctx.portal, fs, r, { select, originalUfNames: originalUf(ctx), withFm: all }));
  return listAnswer({ items }, page.total, page.next);
}

export function registerCrmItemMethods(registry: MethodRegistry): void {
  registry.register('crm.item.add', add, { scope: 'crm', cost: 0.25 });
  registry.register('crm.item.get', get, { scope: 'crm', cost: 0.05 });
  registry.register('crm.item.list', list, { scope: 'crm', cost: 0.2 });
  registry.register('crm.item.update', update, { scope: 'crm', cost: 0.25 });
  registry.register('crm.item.delete', remove, { scope: 'crm', cost: 0.15 });
}
