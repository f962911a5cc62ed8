import { AppError, ErrorCode } from '../shared/errors.js';

/**
 * A push source as an async iterator (what GraphQL subscriptions consume): values wait in a queue
 * until the consumer asks; `return()` (the client stopped, or the connection closed) detaches it.
 * A consumer that falls `limit` values behind is ended with an error rather than letting the queue
 * grow without bound.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private readonly waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void }[] = [];
  private failed: Error | undefined;
  private done = false;
  private detach: () => void = () => undefined;

  constructor(private readonly limit = 1_000) {}

  /** What to call when the stream ends (unsubscribe from the source). */
  onEnd(detach: () => void): this {
    this.detach = detach;
    return this;
  }

  push(value: T): void {
    if (this.done) return;
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter.resolve({ value, done: false });
      return;
    }
    if (this.queue.length >= this.limit) {
      this.fail(new AppError(ErrorCode.Unavailable, `the subscriber fell ${this.limit} events behind: subscribe again`));
      return;
    }
    this.queue.push(value);
  }

  fail(error: Error): void {
    if (this.done) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.reject(error);
    else this.failed = error;
    this.end();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failed) {
      const error = this.failed;
      this.failed = undefined;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(): void {
    if (this.done) return;
    this.done = true;
    this.detach();
    for (const waiter of this.waiting.splice(0)) waiter.resolve({ value: undefined, done: true });
  }
}
