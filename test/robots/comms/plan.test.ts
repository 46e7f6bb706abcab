/**
 * The distribution plan as pure functions (robots/comms/plan.ts): quotas, ranges, dealing in turn, wrap-around.
 */
import { dealCompanies, EMPTY_STATE, openWeek, planWeek, queueRanges, quotas, callTaskTitle, type Manager } from '../../../robots/comms/plan';

const anna: Manager = { userId: 11, name: 'Анна' };
const boris: Manager = { userId: 12, name: 'Борис' };
const companies = (...ids: number[]) => ids.map((id) => ({ id, title: `Компания ${id}` }));

describe('distribution plan', () => {
  it('a new week starts at the carried-over cursor; the same week continues its record', () => {
    const fresh = openWeek({ cursor: 40, week: { week: '2025-W09', startCursor: 10, wrapped: true, given: { 11: 30 } } }, '2025-W10');
    expect(fresh).toEqual({ week: '2025-W10', startCursor: 40, wrapped: false, given: {} });
    const same = openWeek({ cursor: 40, week: { week: '2025-W10', startCursor: 10, wrapped: false, given: { 11: 30 } } }, '2025-W10');
    expect(same.given).toEqual({ 11: 30 });
  });

  it('managers already given their share this week are left out', () => {
    const record = { week: '2025-W10', startCursor: 0, wrapped: false, given: { 11: 30, 12: 10 } };
    expect(quotas([anna, boris], record, 30)).toEqual([{ manager: boris, need: 20 }]);
  });

  it('reads after the cursor, then wraps up to the week start; after the wrap only up to the week start', () => {
    const record = { week: 'w', startCursor: 25, wrapped: false, given: {} };
    expect(queueRanges(31, record)).toEqual([
      { after: 31, upTo: null, wraps: false },
      { after: 0, upTo: 25, wraps: true },
    ]);
    expect(queueRanges(7, { ...record, wrapped: true })).toEqual([{ after: 7, upTo: 25, wraps: false }]);
    expect(queueRanges(25, { ...record, wrapped: true })).toEqual([]);
  });

  it('the first week ever has nothing to wrap to', () => {
    expect(queueRanges(0, openWeek(EMPTY_STATE, 'w'))).toEqual([{ after: 0, upTo: null, wraps: false }]);
  });

  it('deals in turn, and a manager with a full quota leaves the round', () => {
    const dealt = dealCompanies(companies(1, 2, 3, 4, 5), [
      { manager: anna, need: 1 },
      { manager: boris, need: 4 },
    ]);
    expect(dealt.map((a) => [a.companyId, a.managerId])).toEqual([
      [1, 11],
      [2, 12],
      [3, 12],
      [4, 12],
      [5, 12],
    ]);
  });

  it('the plan moves the cursor to the last company given and counts each manager', () => {
    const state = { cursor: 18, week: null };
    const record = openWeek(state, 'w');
    const planned = planWeek(state, record, [{ manager: anna, need: 2 }, { manager: boris, need: 2 }], companies(19, 20, 1), true);
    expect(planned.state).toEqual({ cursor: 1, week: { week: 'w', startCursor: 18, wrapped: true, given: { 11: 2, 12: 1 } } });
    expect(planned.shortfall).toBe(1);
  });

  it('the task title names the company', () => {
    expect(callTaskTitle('Позвонить клиенту: {company}', 'ООО «Ромашка»')).toBe('Позвонить клиенту: ООО «Ромашка»');
    expect(callTaskTitle('Обзвон', 'ООО «Ромашка»')).toBe('Обзвон ООО «Ромашка»');
  });
});
