// The suite's environment, with a server already listening when the file starts (as one left by an
// earlier file, or still closing, would be): the file is handed it as `global.openedBefore`.
import http from 'node:http';
import HandleCheckingEnvironment from '../handle-checking-environment.js';

export default class ServerOpenedBefore extends HandleCheckingEnvironment {
  async setup() {
    const server = http.createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.global.openedBefore = server;
    await super.setup();
  }
}
