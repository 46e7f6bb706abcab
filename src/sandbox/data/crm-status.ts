/**
 * crm.status.list and crm.category.list (b24-docs crm-status-list.md, crm-category-list.md; PROTOCOL §6.4).
 * Stage rows carry `SEMANTICS` (null in progress, `S`, `F`); `EXTRA` exists only for lead and deal stages.
 */
import { listAnswer, RestError, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { entityTypeInfo } from './crm-entity-types';
import { requireD7 } from './crm-item';
import { categoriesOf } from './crm-stages';
import { crmState, type CrmStatus } from './crm-state';
import { isPlainObject, paramCi, toInt } from './params';
import { compileFilter, compileOrder, selectRows, type QueryField, type QuerySchema } from './query';

function statusJson(s: CrmStatus): Record<string, unknown> {
  const row: Record<string, unknown> = {
    ID: String(s.id),
    ENTITY_ID: s.entityId,
    STATUS_ID: s.statusId,
    NAME: s.name,
    NAME_INIT: s.nameInit,
    SORT: String(s.sort),
    SYSTEM: s.system ? 'Y' : 'N',
    CATEGORY_ID: s.categoryId === null ? null : String(s.categoryId),
    COLOR: s.color,
    SEMANTICS: s.semantics,
  };
  if (s.extra) row.EXTRA = { SEMANTICS: s.extra, COLOR: s.color };
  return row;
}

function statusSchema(portal: PortalCore): QuerySchema<CrmStatus> {
  const fields: Record<string, QueryField<CrmStatus>> = {
    ID: { kind: 'number', get: (s) => s.id },
    ENTITY_ID: { kind: 'string', get: (s) => s.entityId },
    STATUS_ID: { kind: 'string', get: (s) => s.statusId },
    NAME: { kind: 'string', get: (s) => s.name },
    NAME_INIT: { kind: 'string', get: (s) => s.nameInit },
    SORT: { kind: 'number', get: (s) => s.sort },
    SYSTEM: { kind: 'bool', get: (s) => (s.system ? 'Y' : 'N') },
    CATEGORY_ID: { kind: 'number', get: (s) => s.categoryId },
    COLOR: { kind: 'string', get: (s) => s.color },
    SEMANTICS: { kind: 'string', get: (s) => s.semantics },
  };
  return { timeZone: portal.timeZone, field: (name) => fields[name.toUpperCase()] };
}

function statusList(ctx: MethodContext): unknown {
  const filter = paramCi(ctx.params, 'filter');
  const order = paramCi(ctx.params, 'order');
  if ((filter !== undefined && !isPlainObject(filter)) || (order !== undefined && !isPlainObject(order))) {
    throw new RestError(400, 'Invalid parameters.', 'Incorrect parameters passed.');
  }
  const schema = statusSchema(ctx.portal);
  const comparator = compileOrder(order ?? { SORT: 'ASC' }, schema);
  const rows = selectRows(crmState(ctx.portal).statuses, compileFilter(filter, schema), comparator);
  // no paging: every matching row comes at once, with its count
  return listAnswer(rows.map(statusJson), rows.length);
}

function categoryList(ctx: MethodContext): unknown {
  const entityTypeId = toInt(requireD7(ctx, 'entityTypeId'));
  const info = entityTypeId === null ? null : entityTypeInfo(ctx.portal, entityTypeId);
  if (!info) throw new RestError(400, 'NOT_FOUND', 'Smart process not found');
  if (!info.hasCategories) throw new RestError(400, 'ENTITY_TYPE_NOT_SUPPORTED', `Entity type ${info.name} is not supported`);
  const categories = [...categoriesOf(ctx.portal, info.entityTypeId)].sort((a, b) => a.sort - b.sort || a.id - b.id);
  const rows = categories.map((c) => {
    const row: Record<string, unknown> = { id: c.id, name: c.name, sort: c.sort, entityTypeId: c.entityTypeId, isDefault: c.isDefault ? 'Y' : 'N' };
    // the default deal pipeline (id 0) is virtual: no origin fields (b24-docs example)
    if (!(c.entityTypeId === 2 && c.id === 0)) Object.assign(row, { originId: '', originatorId: '' });
    return row;
  });
  return listAnswer({ categories: rows }, rows.length);
}

export function registerStatusMethods(registry: MethodRegistry): void {
  registry.register('crm.status.list', statusList, { scope: 'crm', cost: 0.05 });
  registry.register('crm.category.list', categoryList, { scope: 'crm', cost: 0.05 });
}
