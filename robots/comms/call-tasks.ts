/**
 * The week's call tasks: one `tasks.task.add` per assignment, linked to the company (`UF_CRM_TASK: ["CO_<id>"]`,
 * PROTOCOL §6.7), 50 per `batch` request (PROTOCOL §5.4). Each chunk of 50 is one step of the run: a run retried after
 * a crash resumes after the last recorded chunk. A chunk whose answer was lost (the batch ran, the response did not
 * arrive) is checked on the retry: tasks already bound to those companies this week are not created again.
 */
import type { RobotContext } from '../../src/activities/types';
import type { BatchCommand } from '../../src/bitrix/types';
import { throwIfLimited } from './limits';
import { callTaskTitle, type Assignment } from './plan';

/** batch: max 50 commands (PROTOCOL §5.4). */
export const CHUNK = 50;

export interface CallTaskOptions {
  week: string;
  titleTemplate: string;
  /** ISO 8601 with the portal's offset. */
  deadline: string;
  /** Monday 00:00 of the week, ISO: tasks created since then are this week's. */
  weekStartIso: string;
  portalDomain: string;
}

export interface ChunkOutcome {
  /** companyId → task id */
  created: Record<string, number>;
  /** companyId → error text */
  failed: Record<string, string>;
}

export interface CallTasksResult {
  created: number;
  failed: Array<{ companyId: number; error: string }>;
}

type Ctx = Pick<RobotContext, 'b24' | 'step' | 'run'>;

export const companyBinding = (companyId: number) => `CO_${companyId}`;

function taskCommand(assignment: Assignment, options: CallTaskOptions): BatchCommand {
  const link = options.portalDomain ? `\nhttps://${options.portalDomain}/crm/company/details/${assignment.companyId}/` : '';
  return [
    'tasks.task.add',
    {
      fields: {
        TITLE: callTaskTitle(options.titleTemplate, assignment.companyTitle),
        DESCRIPTION: `Плановый звонок клиенту «${assignment.companyTitle}» (неделя ${options.week}).${link}`,
        RESPONSIBLE_ID: assignment.managerId,
        DEADLINE: options.deadline,
        UF_CRM_TASK: [companyBinding(assignment.companyId)],
      },
    },
  ];
}

/** Call tasks of this week that already exist for the chunk's companies (only asked on a retried run). */
async function existingThisWeek(ctx: Ctx, chunk: Assignment[], options: CallTaskOptions): Promise<Map<number, number>> {
  const rows = await ctx.b24.listAll<Record<string, any>>('tasks.task.list', {
    filter: {
      UF_CRM_TASK: chunk.map((assignment) => companyBinding(assignment.companyId)),
      '>=CREATED_DATE': options.weekStartIso,
    },
    select: ['ID', 'TITLE', 'RESPONSIBLE_ID', 'UF_CRM_TASK'],
  });
  const found = new Map<number, number>();
  for (const assignment of chunk) {
    const title = callTaskTitle(options.titleTemplate, assignment.companyTitle);
    const match = rows.find((row) => {
      const bindings: string[] = Array.isArray(row.ufCrmTask) ? row.ufCrmTask : [];
      return bindings.includes(companyBinding(assignment.companyId)) && String(row.title ?? '') === title;
    });
    if (match) found.set(assignment.companyId, Number(match.id));
  }
  return found;
}

async function sendChunk(ctx: Ctx, chunk: Assignment[], options: CallTaskOptions): Promise<ChunkOutcome> {
  const existing = ctx.run.attempt > 1 ? await existingThisWeek(ctx, chunk, options) : new Map<number, number>();
  const todo = chunk.filter((assignment) => !existing.has(assignment.companyId));
  // Found again on a retry: created by the attempt whose answer was lost.
  const outcome: ChunkOutcome = { created: Object.fromEntries([...existing].map(([companyId, id]) => [String(companyId), id])), failed: {} };
  if (todo.length === 0) return outcome;
  const commands: Record<string, BatchCommand> = {};
  for (const assignment of todo) commands[`c${assignment.companyId}`] = taskCommand(assignment, options);
  const answer = await ctx.b24.batch(commands);
  throwIfLimited(answer, commands, ctx.b24.memberId);
  for (const assignment of todo) {
    const key = `c${assignment.companyId}`;
    const error = answer.errors[key];
    // tasks.task.add answers {"task": {"id": "3711", …}} (PROTOCOL §6.7).
    const id = Number((answer.result[key] as { task?: { id?: string } } | undefined)?.task?.id);
    if (error || !Number.isInteger(id) || id <= 0) {
      outcome.failed[String(assignment.companyId)] = error ? `${error.error}: ${error.error_description}`.replace(/<br>$/i, '') : 'no task id';
    } else {
      outcome.created[String(assignment.companyId)] = id;
    }
  }
  return outcome;
}

export async function createCallTasks(ctx: Ctx, assignments: Assignment[], options: CallTaskOptions): Promise<CallTasksResult> {
  const result: CallTasksResult = { created: 0, failed: [] };
  for (let index = 0; index * CHUNK < assignments.length; index++) {
    const chunk = assignments.slice(index * CHUNK, (index + 1) * CHUNK);
    const outcome = await ctx.step(`calls:${options.week}:tasks:${index}`, () => sendChunk(ctx, chunk, options));
    result.created += Object.keys(outcome.created).length;
    for (const [companyId, error] of Object.entries(outcome.failed)) result.failed.push({ companyId: Number(companyId), error });
  }
  return result;
}
