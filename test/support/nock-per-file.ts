import { afterAll, afterEach, beforeAll } from '@jest/globals';
import nock from 'nock';

/**
 * Switch nock on for the calling test file only, and clear its interceptors after each test. nock
 * patches node:http for the whole process and Jest runs other test files in the same worker: an
 * interceptor (or the patch) left behind breaks their proxies and sockets.
 */
export function useNockInThisFile(): void {
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  afterAll(() => nock.restore());
}
