import { coerceInput } from '../../src/activities/coerce';
import { parseBracketForm } from '../../src/util/bracket-form';
import { everyTypeRobot } from './robot-fixtures';

const moscow = { timeZone: 'Europe/Moscow' };

/** The handler call of PROTOCOL §2.2 (abridged the same way), with one property of each type added. */
const body = [
  'workflow_id=664fa13bbbb410.99176768',
  'code=test_every_type',
  'document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal&document_id%5B2%5D=DEAL_123',
  'event_token=664fa13bbbb410.99176768%7CA40364_79843_85254_57332%7CMS1eXX.5402ff',
  'properties%5Btext%5D=Hello+world',
  'properties%5Bwhen%5D=31.12.2024+18%3A00%3A00',
  'properties%5Bday%5D=31.12.2024',
  'properties%5Bto%5D%5B0%5D=user_1&properties%5Bto%5D%5B1%5D=user_7',
  'properties%5Bowner%5D=user_5',
  'properties%5BcategoryId%5D=333',
  'properties%5Bamount%5D=12.5',
  'properties%5Bnotify%5D=Y',
  'properties%5Bformat%5D=docx',
  'properties%5Battachment%5D=4021',
  'properties%5Btitle%5D=',
  'properties%5Btags%5D=vip',
  'use_subscription=Y&timeout_duration=0&ts=1716494651',
].join('&');

describe('robot input is coerced from the wire (PROTOCOL §2.5)', () => {
  const call = parseBracketForm(body);
  const { values, issues } = coerceInput(everyTypeRobot.properties, call.properties as Record<string, unknown>, moscow);

  it('keeps string and text as they are', () => {
    expect(values.text).toBe('Hello world');
  });

  it('reads user_<id> codes as numbers, one or many', () => {
    expect(values.owner).toBe(5);
    expect(values.to).toEqual([1, 7]);
  });

  it('reads numbers sent as strings', () => {
    expect(values.categoryId).toBe(333);
    expect(values.amount).toBe(12.5);
    expect(values.attachment).toBe(4021);
  });

  it('reads Y as true and keeps the select key', () => {
    expect(values.notify).toBe(true);
    expect(values.format).toBe('docx');
  });

  it('reads culture dates in the portal zone', () => {
    expect((values.when as Date).toISOString()).toBe('2024-12-31T15:00:00.000Z');
    expect((values.day as Date).toISOString()).toBe('2024-12-30T21:00:00.000Z');
  });

  it('applies the default for a property sent as an empty string', () => {
    expect(values.title).toBe('Без названия');
  });

  it('wraps a single value of a multiple property into an array', () => {
    expect(values.tags).toEqual(['vip']);
  });

  it('reports nothing for well-formed input', () => {
    expect(issues).toEqual([]);
  });
});

describe('coercion edge cases', () => {
  const props = everyTypeRobot.properties;

  it('reads a plain numeric user id and the N/0/false spellings of no', () => {
    const { values } = coerceInput(props, { owner: '5', notify: 'N' }, moscow);
    expect(values.owner).toBe(5);
    expect(values.notify).toBe(false);
    for (const no of ['0', 'false', 'FALSE', 'n']) expect(coerceInput(props, { notify: no }, moscow).values.notify).toBe(false);
    for (const yes of ['1', 'true', 'y']) expect(coerceInput(props, { notify: yes }, moscow).values.notify).toBe(true);
  });

  it('turns an object with numeric keys into an ordered array', () => {
    const { values } = coerceInput(props, { to: { 1: 'user_9', 0: 'user_3' } }, moscow);
    expect(values.to).toEqual([3, 9]);
  });

  it('leaves an unset optional property out and applies typed defaults', () => {
    const { values } = coerceInput(props, {}, moscow);
    expect('owner' in values).toBe(false);
    expect(values.categoryId).toBe(0);
    expect(values.notify).toBe(false);
    expect(values.format).toBe('pdf');
  });

  it('treats an empty int as unset (default), not as zero', () => {
    expect(coerceInput(props, { categoryId: '' }, moscow).values.categoryId).toBe(0);
    expect(coerceInput(props, { amount: '' }, moscow).values).not.toHaveProperty('amount');
  });

  it('reads a ru decimal comma and thousands spaces', () => {
    expect(coerceInput(props, { amount: '1 200,50' }, moscow).values.amount).toBe(1200.5);
    expect(coerceInput(props, { categoryId: '1\u00a0000' }, moscow).values.categoryId).toBe(1000);
  });

  it('names the property when a group is picked instead of users', () => {
    const { issues } = coerceInput(props, { to: ['user_1', 'group_g5'] }, moscow);
    expect(issues).toHaveLength(1);
    expect(issues[0].property).toBe('to');
    expect(issues[0].ru).toContain('Свойство «Кому» (to)');
    expect(issues[0].en).toContain('group_g5');
  });

  it('leaves values it cannot read as received, for the validator to report', () => {
    const { values } = coerceInput(props, { categoryId: 'abc', when: 'завтра' }, moscow);
    expect(values.categoryId).toBe('abc');
    expect(values.when).toBe('завтра');
  });

  it('drops wire keys that are not properties of the robot', () => {
    const { values } = coerceInput(props, { __proto__: 'x', unknown: '1' } as Record<string, unknown>, moscow);
    expect(values).not.toHaveProperty('unknown');
  });
});
