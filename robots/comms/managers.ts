/**
 * Who takes calls this week (RULES.md §B): the managers of the universal list «Менеджеры» (seed 001: «Бизнес-процесс
 * заглядывает в поле «менеджер» в универсальном списке») or of a department, minus those marked on vacation or sick
 * leave, minus deactivated employees. A manager added to the list takes part from the next run: nothing else to set up.
 * Two requests: the list (one page holds 50 managers) and user.get for the employees it names.
 */
import { RobotError } from '../../src/activities/robot-error';
import { formatIsoDate } from '../../src/activities/time-zone';
import type { B24 } from '../../src/bitrix/types';
import type { Manager } from './plan';
import type { ManagersSource } from './settings';

export interface SkippedManager {
  userId: number | null;
  name: string;
  reason: 'vacation' | 'sick' | 'inactive' | 'no-employee';
}

export interface ManagerRoster {
  active: Manager[];
  skipped: SkippedManager[];
}

export const SKIP_REASON: Record<SkippedManager['reason'], string> = {
  vacation: 'в отпуске',
  sick: 'на больничном',
  inactive: 'сотрудник неактивен',
  'no-employee': 'не указан сотрудник',
};

/** list: the page size is fixed at 50 (PROTOCOL §5.5). */
const PAGE = 50;

/** lists.element.get prints every property as `{"<value row id>": value}`, even a single one (PROTOCOL §6.8). */
export function propertyValues(value: unknown): string[] {
  if (value === null || value === undefined || value === '' || value === false) return [];
  if (Array.isArray(value)) return value.flatMap(propertyValues);
  if (typeof value === 'object') return Object.values(value as Record<string, unknown>).flatMap(propertyValues);
  return [String(value).trim()].filter((text) => text !== '');
}

/** A user id as lists and robots spell it: `5` or `user_5`. */
export function userIdOf(value: unknown): number | null {
  const first = propertyValues(value)[0];
  const id = Number(String(first ?? '').replace(/^user_/i, ''));
  return Number.isInteger(id) && id > 0 ? id : null;
}

const NO = new Set(['n', 'no', 'нет', '0', 'false', 'off']);

/** A culture-format date (`31.12.2024`, `12/31/2024 11:59:59 pm`, PROTOCOL §5.6) or ISO, as `YYYY-MM-DD`; null otherwise. */
export function cultureDay(text: string): string | null {
  let match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})/.exec(text);
  if (match) return `${match[3]}-${match[2].padStart(2, '0')}-${match[1].padStart(2, '0')}`;
  match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(text);
  if (match) return `${match[3]}-${match[1].padStart(2, '0')}-${match[2].padStart(2, '0')}`;
  match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/**
 * Whether an absence field marks the manager absent today. A flag (`Y`, «Да», a yes/no list value) marks him absent
 * while set; dates mean a period: one date is the last day of the absence, two dates are «с … по …».
 */
export function isMarkedAbsent(value: unknown, today: string): boolean {
  const values = propertyValues(value);
  if (values.length === 0) return false;
  const days = values.map(cultureDay);
  if (days.every((day) => day !== null)) {
    const sorted = (days as string[]).sort();
    const from = sorted.length > 1 ? sorted[0] : null;
    const to = sorted[sorted.length - 1];
    return (from === null || from <= today) && today <= to;
  }
  return !values.every((text) => NO.has(text.toLowerCase()));
}

interface UserRow {
  ID: string | number;
  ACTIVE?: boolean | string;
  NAME?: string;
  LAST_NAME?: string;
}

const fullName = (user: UserRow | undefined, fallback: string) =>
  user ? [user.NAME, user.LAST_NAME].filter(Boolean).join(' ').trim() || fallback : fallback;

const isActive = (user: UserRow | undefined) => user !== undefined && user.ACTIVE !== false && user.ACTIVE !== 'N';

async function listElements(b24: B24, source: ManagersSource): Promise<Array<Record<string, unknown>>> {
  const iblock = source.iblockId !== null ? { IBLOCK_ID: source.iblockId } : { IBLOCK_CODE: source.iblockCode };
  const rows: Array<Record<string, unknown>> = [];
  let after = 0;
  // Keyset by hand with the method's own parameter names (FILTER, ELEMENT_ORDER): a list has few managers, usually
  // one page; whether lists.element.get honours start=-1 is unconfirmed, so pages are asked with start=0.
  for (;;) {
    let page: Array<Record<string, unknown>>;
    try {
      page = await b24.call('lists.element.get', {
        IBLOCK_TYPE_ID: source.iblockTypeId,
        ...iblock,
        FILTER: { '>ID': after },
        ELEMENT_ORDER: { ID: 'ASC' },
        start: 0,
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERROR_IBLOCK_NOT_FOUND') {
        const which = source.iblockId !== null ? `id ${source.iblockId}` : `с кодом «${source.iblockCode}»`;
        throw new RobotError(
          `Список менеджеров ${which} не найден: создайте универсальный список или укажите comms.managers.iblockCode / iblockId в настройках портала`,
          { code: 'MANAGERS_LIST_NOT_FOUND', cause: error },
        );
      }
      throw error;
    }
    rows.push(...(page ?? []));
    if (!page || page.length < PAGE) return rows;
    after = Number(page[page.length - 1].ID);
  }
}

async function usersById(b24: B24, ids: number[]): Promise<Map<number, UserRow>> {
  const out = new Map<number, UserRow>();
  for (let i = 0; i < ids.length; i += PAGE) {
    const chunk = ids.slice(i, i + PAGE);
    const users = await b24.call<UserRow[]>('user.get', { FILTER: { ID: chunk } });
    for (const user of users ?? []) out.set(Number(user.ID), user);
  }
  return out;
}

export async function managersFromList(b24: B24, source: ManagersSource, now: Date, timeZone: string): Promise<ManagerRoster> {
  const elements = await listElements(b24, source);
  const today = formatIsoDate(now, timeZone);
  const ids = [...new Set(elements.map((element) => userIdOf(element[source.employeeField])).filter((id): id is number => id !== null))];
  const users = ids.length > 0 ? await usersById(b24, ids) : new Map<number, UserRow>();
  const roster: ManagerRoster = { active: [], skipped: [] };
  const seen = new Set<number>();
  for (const element of elements) {
    const userId = userIdOf(element[source.employeeField]);
    const label = String(element.NAME ?? `#${element.ID}`);
    if (userId === null) {
      roster.skipped.push({ userId: null, name: label, reason: 'no-employee' });
      continue;
    }
    if (seen.has(userId)) continue; // the same employee twice in the list still gets one share
    seen.add(userId);
    const user = users.get(userId);
    const name = fullName(user, label);
    if (source.vacationField && isMarkedAbsent(element[source.vacationField], today)) {
      roster.skipped.push({ userId, name, reason: 'vacation' });
    } else if (source.sickField && isMarkedAbsent(element[source.sickField], today)) {
      roster.skipped.push({ userId, name, reason: 'sick' });
    } else if (!isActive(user)) {
      roster.skipped.push({ userId, name, reason: 'inactive' });
    } else {
      roster.active.push({ userId, name });
    }
  }
  return roster;
}

export async function managersFromDepartment(b24: B24, source: ManagersSource): Promise<ManagerRoster> {
  if (source.departmentId === null) {
    throw new RobotError('Не указан отдел менеджеров: задайте comms.managers.departmentId в настройках портала', {
      code: 'MANAGERS_DEPARTMENT_MISSING',
    });
  }
  // user.get supports start=-1 keyset paging (PROTOCOL §6.9); the client enumerates it.
  const users = await b24.listAll<UserRow>('user.get', { FILTER: { UF_DEPARTMENT: source.departmentId, ACTIVE: true } });
  return {
    active: users.map((user) => ({ userId: Number(user.ID), name: fullName(user, `#${user.ID}`) })),
    skipped: [],
  };
}

export function readManagers(b24: B24, source: ManagersSource, now: Date, timeZone: string): Promise<ManagerRoster> {
  return source.source === 'department' ? managersFromDepartment(b24, source) : managersFromList(b24, source, now, timeZone);
}
