import { describe, expect, it } from '@jest/globals';
import { container, inject, injectable } from 'tsyringe';
import got from 'got';

const TOKEN = Symbol('x');
@injectable()
class Dep {
  constructor(@inject(TOKEN) public readonly v: string) {}
}
describe('toolchain', () => {
  it('resolves', () => {
    const c = container.createChildContainer();
    c.register(TOKEN, { useValue: 'hi' });
    expect(c.resolve(Dep).v).toBe('hi');
    expect(typeof got).toBe('function');
  });
});
