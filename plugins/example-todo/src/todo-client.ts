import { createKernel, type Kernel } from 'pristine-kernel';
import type { Todo } from './manifest.js';
import { todoManifest } from './manifest.js';
import { todoPlugin } from './todo-plugin.js';

type TodoKernel = Kernel<(typeof todoManifest)['endpoints'][number]>;

/** The typed client SDK users see: camelCase methods over snake_case wire data. */
export class TodoClient {
  readonly kernel: TodoKernel;

  constructor(options: { baseUrl: string; token: string; configure?: (kernel: TodoKernel) => void }) {
    this.kernel = createKernel().use(todoPlugin(options));
    options.configure?.(this.kernel);
  }

  create(title: string): Promise<Todo> {
    return this.kernel.call('create_todo', { title });
  }

  complete(id: string): Promise<Todo> {
    return this.kernel.call('complete_todo', { id });
  }

  /** Every todo, fetched page by page as you iterate. */
  all(pageSize = 50) {
    return this.kernel.paginate('list_todos', {}, { pageSize });
  }

  /** Start an export; `await` the returned future for its download URL. */
  export(format: 'csv' | 'json') {
    return this.kernel.submit<{ url: string }>('start_export', { format });
  }

  /** Live changes until the server ends the feed. */
  changes(signal?: AbortSignal) {
    return this.kernel.stream('changes', undefined, { signal });
  }

  close() {
    return this.kernel.close();
  }
}
