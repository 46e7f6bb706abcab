/**
 * Portal users and `user.get` (b24-docs user/user-get.md; PROTOCOL §6.9): always an array of users with string ids
 * and a real boolean `ACTIVE`; `FILTER` with the CRM prefixes (a value containing `%` is a LIKE pattern:
 * `{"NAME": "Iv%"}`); filter keys may also be passed at the top level (`user.get {"ID": 5}`); `sort` + `order`;
 * `start = -1` skips the count. `EMAIL` needs the `user` or `user_basic` scope; `user_brief` has no contact data.
 */
import { listAnswer, type MethodContext, type MethodRegistry, type PortalCore, type SandboxUser } from '../contract';
import { isPlainObject, paramCi, startParam } from './params';
import { compileFilter, compileOrder, pageRows, selectRows, type QueryField, type QuerySchema } from './query';

export function addUser(portal: PortalCore, input: Partial<SandboxUser> & { name: string; lastName: string }): SandboxUser {
  const id = input.id ?? portal.users.reduce((max, u) => Math.max(max, u.id), 0) + 1;
  if (portal.users.some((u) => u.id === id)) throw new RangeError(`user ${id} already exists on portal ${portal.memberId}`);
  const user: SandboxUser = {
    id,
    name: input.name,
    lastName: input.lastName,
    email: input.email ?? `user${id}@${portal.domain}`,
    active: input.active ?? true,
    isAdmin: input.isAdmin ?? false,
    departments: input.departments ?? [1],
    position: input.position ?? '',
    userType: input.userType ?? 'employee',
  };
  portal.users.push(user);
  return user;
}

function userJson(u: SandboxUser, withContacts: boolean): Record<string, unknown> {
  const row: Record<string, unknown> = {
    ID: String(u.id),
    ACTIVE: u.active,
    NAME: u.name,
    LAST_NAME: u.lastName,
    SECOND_NAME: '',
  };
  if (withContacts) row.EMAIL = u.email;
  Object.assign(row, {
    LAST_LOGIN: null,
    DATE_REGISTER: null,
    TIME_ZONE: '',
    IS_ONLINE: 'N',
    TIMESTAMP_X: {},
    LAST_ACTIVITY_DATE: {},
    PERSONAL_GENDER: '',
    PERSONAL_BIRTHDAY: '',
    WORK_POSITION: u.position,
    UF_EMPLOYMENT_DATE: '',
    UF_DEPARTMENT: u.departments,
    USER_TYPE: u.userType,
  });
  return row;
}

function schema(portal: PortalCore): QuerySchema<SandboxUser> {
  const fields: Record<string, QueryField<SandboxUser>> = {
    ID: { kind: 'number', get: (u) => u.id },
    ACTIVE: { kind: 'bool', get: (u) => u.active },
    NAME: { kind: 'string', get: (u) => u.name },
    LAST_NAME: { kind: 'string', get: (u) => u.lastName },
    EMAIL: { kind: 'string', get: (u) => u.email },
    WORK_POSITION: { kind: 'string', get: (u) => u.position },
    UF_DEPARTMENT: { kind: 'number', get: (u) => u.departments },
    USER_TYPE: { kind: 'string', get: (u) => u.userType },
    IS_ONLINE: { kind: 'bool', get: () => 'N' },
    NAME_SEARCH: {
      kind: 'string',
      get: (u) => `${u.name} ${u.lastName} ${u.email}`,
      compile: (_op, value) => {
        const needle = String(value ?? '').toLowerCase().replace(/%/g, '');
        return (u) => `${u.name} ${u.lastName} ${u.email}`.toLowerCase().includes(needle);
      },
    },
  };
  return { timeZone: portal.timeZone, field: (name) => fields[name.toUpperCase()] };
}

const NOT_FILTER = new Set(['SORT', 'ORDER', 'FILTER', 'ADMIN_MODE', 'SELECT', 'IMAGE_RESIZE', 'START']);

function get(ctx: MethodContext): unknown {
  let filter = paramCi(ctx.params, 'FILTER');
  if (!isPlainObject(filter)) {
    filter = Object.fromEntries(Object.entries(ctx.params).filter(([k]) => !NOT_FILTER.has(k.toUpperCase())));
  }
  const s = schema(ctx.portal);
  const predicate = compileFilter(filter, s, { percentMeansLike: true });
  const sort = paramCi(ctx.params, 'sort');
  const order = paramCi(ctx.params, 'order');
  const orderObj = isPlainObject(order) ? order : typeof sort === 'string' && sort !== '' ? { [sort]: String(order ?? 'ASC') } : { ID: 'ASC' };
  const rows = selectRows(ctx.portal.users, predicate, compileOrder(orderObj, s));
  const page = pageRows(rows, startParam(ctx.params), { negativeSkipsCount: true });
  const withContacts = ctx.auth.scope.includes('user') || ctx.auth.scope.includes('user_basic');
  return listAnswer(page.rows.map((u) => userJson(u, withContacts)), page.total, page.next);
}

export function registerUserMethods(registry: MethodRegistry): void {
  // user_brief is the smallest scope that grants user.get (the platform treats `user` as including it)
  registry.register('user.get', get, { scope: 'user_brief', cost: 0.05 });
}
