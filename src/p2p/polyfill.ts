/**
 * `Promise.withResolvers` for Node 20, which libp2p 2.x calls but only Node 22 ships.
 * Import this module before anything that loads libp2p (host.ts does, first): ESM
 * evaluates imports in order, so the global exists before libp2p's modules run.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseWithResolvers = { withResolvers?: <T>() => Resolvers<T> };

const promiseConstructor = Promise as unknown as PromiseWithResolvers;

if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
