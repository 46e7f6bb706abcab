/**
 * Universal lists (iblocks of type `lists`) and their elements (`portal.state.lists`). Property values are rows
 * with their own ids — `lists.element.get` prints `"PROPERTY_951": {"3743": "1269"}` even for single properties
 * (PROTOCOL §6.8). Property types: `S` string, `N` number, `L` list (enumeration ids), `S:employee` user id,
 * `S:Date`, `S:DateTime`.
 */
import type { PortalCore } from '../contract';
import { msToStored, toStoredDate, toStoredDateTime } from './dates';
import { asList, isPlainObject, toId, toInt } from './params';

export type ListPropertyType = 'S' | 'N' | 'L' | 'S:employee' | 'S:Date' | 'S:DateTime';

export interface ListProperty {
  id: number;
  code: string;
  name: string;
  type: ListPropertyType;
  multiple: boolean;
  /** Values of an `L` property. */
  enum?: { id: number; value: string }[];
}

export interface Iblock {
  id: number;
  typeId: string;
  code: string;
  name: string;
  properties: ListProperty[];
}

export interface ListElement {
  id: number;
  iblockId: number;
  code: string;
  name: string;
  sectionId: number | null;
  createdBy: number;
  dateCreate: string;
  sort: number;
  /** property id → value rows. */
  values: Record<string, { id: number; value: string }[]>;
}

export interface ListsState {
  next: { iblock: number; property: number; element: number; value: number; enumValue: number };
  iblocks: Iblock[];
  elements: Record<string, ListElement>;
}

/** Ids start where a young real portal's would, so the seeded «Менеджеры» list has stable, realistic ids. */
export function emptyListsState(): ListsState {
  return { next: { iblock: 17, property: 101, element: 1, value: 1001, enumValue: 51 }, iblocks: [], elements: {} };
}

export function listsState(portal: PortalCore): ListsState {
  const state = portal.state.lists as ListsState | undefined;
  if (!state) throw new Error(`portal ${portal.memberId} has no lists state: the data part was not initialised for it`);
  return state;
}

export interface IblockInput {
  code: string;
  name: string;
  typeId?: string;
  properties: { code: string; name: string; type: ListPropertyType; multiple?: boolean; values?: string[] }[];
}

export function createIblock(portal: PortalCore, input: IblockInput): Iblock {
  const state = listsState(portal);
  if (state.iblocks.some((b) => b.code === input.code)) throw new RangeError(`a list with IBLOCK_CODE "${input.code}" already exists`);
  const iblock: Iblock = {
    id: state.next.iblock++,
    typeId: input.typeId ?? 'lists',
    code: input.code,
    name: input.name,
    properties: input.properties.map((p) => {
      const prop: ListProperty = { id: state.next.property++, code: p.code, name: p.name, type: p.type, multiple: p.multiple ?? false };
      if (p.type === 'L') prop.enum = (p.values ?? []).map((value) => ({ id: state.next.enumValue++, value }));
      return prop;
    }),
  };
  state.iblocks.push(iblock);
  return iblock;
}

export function findIblock(portal: PortalCore, typeId: string, idOrCode: { id?: unknown; code?: unknown }): Iblock | undefined {
  const id = toId(idOrCode.id);
  const code = idOrCode.code === undefined || idOrCode.code === null ? null : String(idOrCode.code);
  return listsState(portal).iblocks.find((b) => b.typeId === typeId && (id !== null ? b.id === id : b.code === code));
}

/** The stored text of one property value; null when it is empty or not acceptable for the type. */
function storeValue(portal: PortalCore, prop: ListProperty, raw: unknown): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  switch (prop.type) {
    case 'N': {
      const n = Number(raw);
      return Number.isFinite(n) ? String(n) : null;
    }
    case 'S:employee': {
      const id = toId(String(raw).replace(/^user_/, ''));
      return id === null ? null : String(id);
    }
    case 'L': {
      const byId = prop.enum?.find((e) => String(e.id) === String(raw));
      const byText = prop.enum?.find((e) => e.value.toLowerCase() === String(raw).toLowerCase());
      const hit = byId ?? byText;
      return hit ? String(hit.id) : null;
    }
    case 'S:Date':
      return toStoredDate(raw, portal.timeZone);
    case 'S:DateTime':
      return toStoredDateTime(raw, portal.timeZone);
    default:
      return String(raw);
  }
}

/** Sets `PROPERTY_<id>` (or `PROPERTY_<CODE>`) values: a scalar, an array, or `{"n0": v}` rows. */
export function setPropertyValues(portal: PortalCore, iblock: Iblock, element: ListElement, fields: Record<string, unknown>): void {
  const state = listsState(portal);
  for (const [key, raw] of Object.entries(fields)) {
    const m = /^PROPERTY_(.+)$/i.exec(key);
    if (!m) continue;
    const prop = iblock.properties.find((p) => String(p.id) === m[1] || p.code.toUpperCase() === m[1].toUpperCase());
    if (!prop) continue;
    const values = (Array.isArray(raw) || isPlainObject(raw) ? asList(raw) : [raw])
      .map((v) => (isPlainObject(v) && 'VALUE' in v ? v.VALUE : v))
      .map((v) => storeValue(portal, prop, v))
      .filter((v): v is string => v !== null);
    const kept = prop.multiple ? values : values.slice(0, 1);
    element.values[String(prop.id)] = kept.map((value) => ({ id: state.next.value++, value }));
  }
}

export function addElement(
  portal: PortalCore,
  iblock: Iblock,
  input: { code: string; name: string; sectionId?: number | null; fields?: Record<string, unknown> },
  userId: number,
  now: Date,
): ListElement {
  const state = listsState(portal);
  const element: ListElement = {
    id: state.next.element++,
    iblockId: iblock.id,
    code: input.code,
    name: input.name,
    sectionId: input.sectionId ?? null,
    createdBy: userId,
    dateCreate: msToStored(now.getTime()),
    sort: toInt(input.fields?.SORT) ?? 500,
    values: {},
  };
  setPropertyValues(portal, iblock, element, input.fields ?? {});
  state.elements[String(element.id)] = element;
  return element;
}
