import { defineManifest, Type, type Static } from 'pristine-kernel';

export const Todo = Type.Object({ id: Type.String(), title: Type.String(), done: Type.Boolean() });
export type Todo = Static<typeof Todo>;

/** The made-up todo API: CRUD, an offset-paginated list, an export job (a future) and an SSE change feed. */
export const todoManifest = defineManifest({
  name: 'todo',
  version: '1.0.0',
  endpoints: [
    {
      id: 'create_todo',
      method: 'POST',
      path: '/todos',
      input: Type.Object(
        { title: Type.String({ minLength: 1, maxLength: 200 }) },
        { additionalProperties: false },
      ),
      response: Todo,
    },
    {
      id: 'complete_todo',
      method: 'POST',
      path: '/todos/{id}/complete',
      input: Type.Object({ id: Type.String() }, { additionalProperties: false }),
      response: Todo,
    },
    {
      id: 'list_todos',
      method: 'GET',
      path: '/todos',
      query: ['page_size', 'start'],
      input: Type.Object(
        {
          page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          start: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      response: Type.Object({ todos: Type.Array(Todo), total: Type.Integer() }),
      pagination: {
        style: 'offset',
        offsetParam: 'start',
        limitParam: 'page_size',
        items: 'todos',
        total: 'total',
      },
    },
    {
      id: 'start_export',
      method: 'POST',
      path: '/exports',
      future: 'jobs',
      input: Type.Object(
        { format: Type.Union([Type.Literal('csv'), Type.Literal('json')]) },
        { additionalProperties: false },
      ),
      response: Type.Object({ job: Type.String() }),
    },
    {
      id: 'get_job',
      method: 'GET',
      path: '/jobs/{job}',
      retry: 'polls',
      input: Type.Object({ job: Type.String() }, { additionalProperties: false }),
    },
    {
      id: 'changes',
      method: 'GET',
      path: '/changes',
      stream: { doneEvent: 'end', event: Type.Object({ kind: Type.String(), todo: Todo }) },
    },
  ],
});
