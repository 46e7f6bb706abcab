/**
 * crm.activity.add|list (b24-docs crm-activity-add.md, crm-activity-list.md; PROTOCOL §6.5). Rows are all strings;
 * `COMMUNICATIONS` only when named in `select`; default order `START_TIME` ascending; `OWNER_TYPE_ID`/`OWNER_ID`
 * match any binding of the activity, and each pair of `filter.BINDINGS` that matches yields the row once more
 * (the docs warn about duplicates).
 */
import { listAnswer, type MethodContext, type MethodRegistry, type PortalCore } from '../contract';
import { ActivityError, createActivity } from './crm-activity-store';
import { crmState, type Activity } from './crm-state';
import { formatIso } from './dates';
import { asList, isPlainObject, legacyError, paramCi, startParam } from './params';
import { compileFilter, compileOrder, pageRows, splitFilterKey, type FieldKind, type Predicate, type QueryField, type QuerySchema } from './query';

type Binding = Activity['bindings'][number];

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function activityJson(portal: PortalCore, a: Activity): Record<string, unknown> {
  const tz = portal.timeZone;
  return {
    ID: String(a.id),
    OWNER_ID: String(a.ownerId),
    OWNER_TYPE_ID: String(a.ownerTypeId),
    TYPE_ID: String(a.typeId),
    PROVIDER_ID: a.providerId,
    PROVIDER_TYPE_ID: a.providerTypeId,
    PROVIDER_GROUP_ID: null,
    ASSOCIATED_ENTITY_ID: String(a.associatedEntityId),
    SUBJECT: a.subject,
    CREATED: formatIso(a.created, tz),
    LAST_UPDATED: formatIso(a.lastUpdated, tz),
    START_TIME: formatIso(a.startTime, tz),
    END_TIME: formatIso(a.endTime, tz),
    DEADLINE: formatIso(a.deadline, tz),
    COMPLETED: a.completed,
    STATUS: String(a.status),
    RESPONSIBLE_ID: String(a.responsibleId),
    PRIORITY: String(a.priority),
    NOTIFY_TYPE: '0',
    NOTIFY_VALUE: '0',
    DESCRIPTION: a.description,
    DESCRIPTION_TYPE: String(a.descriptionType),
    DIRECTION: String(a.direction),
    LOCATION: a.location,
    // PHP serialises an empty array as []
    SETTINGS: Object.keys(a.settings).length > 0 ? a.settings : [],
    ORIGINATOR_ID: str(a.originatorId),
    ORIGIN_ID: str(a.originId),
    AUTHOR_ID: String(a.authorId),
    EDITOR_ID: String(a.editorId),
    PROVIDER_PARAMS: [],
    PROVIDER_DATA: null,
    RESULT_MARK: '0',
    RESULT_VALUE: null,
    RESULT_SUM: null,
    RESULT_CURRENCY_ID: null,
    RESULT_STATUS: '0',
    RESULT_STREAM: '0',
    RESULT_SOURCE_ID: null,
    AUTOCOMPLETE_RULE: '0',
  };
}

function communicationsJson(a: Activity): Record<string, unknown>[] {
  return a.communications.map((c) => ({
    ID: String(c.id),
    TYPE: c.type,
    VALUE: c.value,
    ENTITY_ID: String(c.entityId),
    ENTITY_TYPE_ID: String(c.entityTypeId),
  }));
}

const KINDS: Record<string, [FieldKind, (a: Activity) => unknown]> = {
  ID: ['number', (a) => a.id],
  TYPE_ID: ['number', (a) => a.typeId],
  PROVIDER_ID: ['string', (a) => a.providerId],
  PROVIDER_TYPE_ID: ['string', (a) => a.providerTypeId],
  ASSOCIATED_ENTITY_ID: ['number', (a) => a.associatedEntityId],
  SUBJECT: ['string', (a) => a.subject],
  CREATED: ['date', (a) => a.created],
  LAST_UPDATED: ['date', (a) => a.lastUpdated],
  START_TIME: ['date', (a) => a.startTime],
  END_TIME: ['date', (a) => a.endTime],
  DEADLINE: ['date', (a) => a.deadline],
  COMPLETED: ['bool', (a) => a.completed],
  STATUS: ['number', (a) => a.status],
  RESPONSIBLE_ID: ['number', (a) => a.responsibleId],
  PRIORITY: ['number', (a) => a.priority],
  DESCRIPTION: ['string', (a) => a.description],
  DIRECTION: ['number', (a) => a.direction],
  AUTHOR_ID: ['number', (a) => a.authorId],
  EDITOR_ID: ['number', (a) => a.editorId],
  ORIGIN_ID: ['string', (a) => a.originId],
  ORIGINATOR_ID: ['string', (a) => a.originatorId],
};

function schema(portal: PortalCore): QuerySchema<Activity> {
  return {
    timeZone: portal.timeZone,
    field(name): QueryField<Activity> | undefined {
      const k = KINDS[name.toUpperCase()];
      return k ? { kind: k[0], get: k[1] } : undefined;
    },
  };
}

const bindingSchema = (portal: PortalCore): QuerySchema<Binding> => ({
  timeZone: portal.timeZone,
  field(name) {
    const n = name.toUpperCase();
    if (n === 'OWNER_ID') return { kind: 'number', get: (b) => b.ownerId };
    if (n === 'OWNER_TYPE_ID') return { kind: 'number', get: (b) => b.ownerTypeId };
    return undefined;
  },
});

function add(ctx: MethodContext): unknown {
  const fields = paramCi(ctx.params, 'fields');
  if (!isPlainObject(fields)) throw legacyError("Parameter 'fields' must be array.");
  try {
    const { activity, sendError } = createActivity(ctx.portal, fields, { userId: ctx.auth.userId, now: ctx.now });
    if (sendError) throw legacyError(sendError);
    return activity.id;
  } catch (err) {
    if (err instanceof ActivityError) throw legacyError(err.message);
    throw err;
  }
}

function list(ctx: MethodContext): unknown {
  const filter = paramCi(ctx.params, 'filter');
  const rest: Record<string, unknown> = {};
  const owner: Record<string, unknown> = {};
  let pairs: Predicate<Binding>[] | null = null;
  const bSchema = bindingSchema(ctx.portal);
  if (isPlainObject(filter)) {
    for (const [key, value] of Object.entries(filter)) {
      const name = splitFilterKey(key).name.toUpperCase();
      if (name === 'BINDINGS') pairs = asList(value).filter(isPlainObject).map((p) => compileFilter(p, bSchema));
      else if (name === 'OWNER_ID' || name === 'OWNER_TYPE_ID') owner[key] = value;
      else rest[key] = value;
    }
  }
  const predicate = compileFilter(rest, schema(ctx.portal));
  const ownerPredicate = Object.keys(owner).length > 0 ? compileFilter(owner, bSchema) : null;
  const rows: Activity[] = [];
  for (const a of Object.values(crmState(ctx.portal).activities)) {
    if (!predicate(a)) continue;
    if (ownerPredicate && !a.bindings.some(ownerPredicate)) continue;
    const times = pairs ? pairs.filter((p) => a.bindings.some(p)).length : 1;
    for (let i = 0; i < times; i++) rows.push(a);
  }
  const order = paramCi(ctx.params, 'order');
  const comparator = compileOrder(isPlainObject(order) && Object.keys(order).length > 0 ? order : { START_TIME: 'ASC' }, schema(ctx.portal));
  if (comparator) rows.sort(comparator);
  const page = pageRows(rows, startParam(ctx.params), { negativeSkipsCount: true });
  const select = asList(paramCi(ctx.params, 'select')).map((s) => String(s).toUpperCase());
  const all = select.length === 0 || select.includes('*');
  const result = page.rows.map((a) => {
    const full = activityJson(ctx.portal, a);
    const row: Record<string, unknown> = all ? full : { ID: full.ID };
    if (!all) for (const name of select) if (name in full) row[name] = full[name];
    if (select.includes('COMMUNICATIONS')) row.COMMUNICATIONS = communicationsJson(a);
    return row;
  });
  return listAnswer(result, page.total, page.next);
}

export function registerActivityMethods(registry: MethodRegistry): void {
  registry.register('crm.activity.add', add, { scope: 'crm', cost: 0.2 });
  registry.register('crm.activity.list', list, { scope: 'crm', cost: 0.2 });
}
