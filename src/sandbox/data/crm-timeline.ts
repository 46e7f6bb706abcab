/**
 * crm.timeline.comment.add (b24-docs crm-timeline-comment-add.md, PROTOCOL §6.6): only the lower-case `fields`
 * key is accepted since crm 23.100; `ENTITY_TYPE` is `deal`, `company`, `dynamic_<entityTypeId>`, …; the answer
 * is the comment id.
 */
import { RestError, type MethodContext, type MethodRegistry } from '../contract';
import { timelineEntityTypeId } from './crm-entity-types';
import { crmState } from './crm-state';
import { getRecord } from './crm-store';
import { msToStored } from './dates';
import { asList, isPlainObject, toId } from './params';

function add(ctx: MethodContext): unknown {
  const fields = ctx.params.fields;
  if (!isPlainObject(fields)) throw new RestError(400, '100', 'Required fields are not provided');
  const entityId = toId(fields.ENTITY_ID);
  const entityTypeId = timelineEntityTypeId(fields.ENTITY_TYPE);
  if (fields.ENTITY_TYPE === undefined || fields.ENTITY_ID === undefined || fields.COMMENT === undefined) {
    throw new RestError(400, '100', 'Required fields are not provided');
  }
  if (entityTypeId === null) throw new RestError(400, 'NOT_FOUND', 'Not found.');
  if (entityId === null || !getRecord(ctx.portal, entityTypeId, entityId)) {
    throw new RestError(400, 'OWNER_NOT_FOUND', 'Owner of the item not found');
  }
  const comment = String(fields.COMMENT ?? '').trim();
  if (comment === '') throw new RestError(400, 'INVALID_ARG_VALUE', 'Empty comment');
  const state = crmState(ctx.portal);
  const id = state.next.comment++;
  state.comments[String(id)] = {
    id,
    entityTypeId,
    entityId,
    comment,
    authorId: ctx.auth.userId,
    created: msToStored(ctx.now.getTime()),
    files: asList(fields.FILES).map((f) => String(asList(f)[0] ?? '')),
  };
  return id;
}

export function registerTimelineMethods(registry: MethodRegistry): void {
  registry.register('crm.timeline.comment.add', add, { scope: 'crm', cost: 0.1 });
}
