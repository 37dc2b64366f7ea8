// docs/snippets/client.ts
import { createKernel, type CallOptions, type FileInput, type Kernel } from 'pristine-kernel';
import { todoManifest } from './manifest.js';
import { todoPlugin, type TodoPluginOptions } from './plugin.js';

/** The kernel type a `configure` callback receives: a kernel that knows this manifest's endpoints. */
export type TodoKernel = Kernel<(typeof todoManifest)['endpoints'][number]>;

export class TodoClient {
  readonly kernel: TodoKernel;

  constructor(options: TodoPluginOptions & { configure?: (kernel: TodoKernel) => void }) {
    this.kernel = createKernel().use(todoPlugin(options));
    options.configure?.(this.kernel); // e.g. kernel.register(Ports.Clock, new FakeClock()) in tests
  }

  create(title: string) {
    return this.kernel.call('create_todo', { title }); // Promise<Todo>
  }

  complete(id: string) {
    return this.kernel.call('complete_todo', { id });
  }

  all(pageSize = 50, after?: string) {
    return this.kernel.paginate('list_todos', { after }, { pageSize }); // PageIterable<Todo>
  }

  export(format: 'csv' | 'json') {
    return this.kernel.submit('start_export', { format }); // APIFuture<{ url: string }>
  }

  changes(signal?: AbortSignal) {
    return this.kernel.stream('changes', {}, { signal }); // EventStream<{ kind; todo }>
  }

  /** `options.onUploadProgress` shows the upload's progress ("Upload progress", below). */
  attach(id: string, file: FileInput, options?: CallOptions) {
    return this.kernel.call('attach_file', { id, file }, options);
  }

  close() {
    return this.kernel.close();
  }
}
