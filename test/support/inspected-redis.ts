import { afterAll, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { RedisServer } from './redis-server.js';

/** A throwaway redis-server and a plain client to look inside it, for one test file or describe block. */
export interface InspectedRedis {
  readonly url: string;
  /** Reads what the code under test wrote (keys, queues, connected clients); never part of what is tested. */
  readonly inspector: Redis;
}

/** Starts both before the block's tests and stops both after them (the inspector first). */
export function useInspectedRedis(): InspectedRedis {
  let server: RedisServer | undefined;
  let inspector: Redis | undefined;
  beforeAll(async () => {
    server = await RedisServer.start();
    inspector = new Redis(server.url);
  });
  afterAll(async () => {
    await inspector?.quit();
    await server?.stop();
  });
  return {
    get url() {
      return server!.url;
    },
    get inspector() {
      return inspector!;
    },
  };
}
