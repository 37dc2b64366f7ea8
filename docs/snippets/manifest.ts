// docs/snippets/manifest.ts
import { defineManifest, FileInputSchema, Type, type Static } from 'pristine-kernel';

export const Todo = Type.Object({ id: Type.String(), title: Type.String(), done: Type.Boolean() });
export type Todo = Static<typeof Todo>;

export const todoManifest = defineManifest({
  name: 'todo',
  version: '1.0.0',
  endpoints: [
    {
      id: 'create_todo',
      method: 'POST',
      path: '/todos',
      input: Type.Object({ title: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      response: Todo,
    },
    {
      id: 'complete_todo',
      method: 'POST',
      path: '/todos/{id}/complete', // {id} must be a required input property
      input: Type.Object({ id: Type.String() }),
      response: Todo,
    },
    {
      // OpenAI-style cursor list: GET /todos?after=<id>&limit=n → { data, last_id, has_more }
      id: 'list_todos',
      method: 'GET',
      path: '/todos',
      query: ['after', 'limit'], // these input keys go to the query string
      input: Type.Object({ after: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer()) }),
      response: Type.Object({
        data: Type.Array(Todo),
        last_id: Type.Union([Type.String(), Type.Null()]),
        has_more: Type.Boolean(),
      }),
      pagination: {
        style: 'cursor',
        cursorParam: 'after',
        limitParam: 'limit',
        items: 'data',
        nextCursor: 'last_id',
        hasMore: 'has_more',
      },
    },
    {
      id: 'start_export',
      method: 'POST',
      path: '/exports',
      future: 'jobs', // polled with the plugin's `jobs` poll protocol
      input: Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('json')]) }),
      response: Type.Object({ job: Type.String() }),
      result: Type.Object({ url: Type.String() }), // what `await kernel.submit(...)` gives
    },
    {
      id: 'get_job',
      method: 'GET',
      path: '/jobs/{job}',
      retry: 'polls',
      input: Type.Object({ job: Type.String() }),
      // What the `jobs` poll protocol's `read` receives, typed (see the plugin).
      response: Type.Object({
        state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
        url: Type.Optional(Type.String()),
        error: Type.Optional(Type.String()),
      }),
    },
    {
      id: 'changes',
      method: 'GET',
      path: '/changes',
      stream: {
        doneEvent: 'end', // an `event: end` closes the stream normally
        errorEvent: 'error', // an `event: error` is thrown as a StreamEventError
        idleTimeoutMs: 30_000, // no byte for 30 s: StreamIdleTimeoutError
        event: Type.Object({ kind: Type.String(), todo: Todo }),
      },
    },
    {
      id: 'attach_file',
      method: 'POST',
      path: '/todos/{id}/attachments',
      bodyType: 'multipart',
      input: Type.Object({ id: Type.String(), note: Type.Optional(Type.String()), file: FileInputSchema() }),
      response: Type.Object({ id: Type.String(), bytes: Type.Integer() }),
    },
  ],
});
