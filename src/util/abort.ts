/** The error a cancelled job or run rejects with: a DOMException named 'AbortError', as
 *  fetch and the other AbortSignal-aware web APIs use. */
export function abortError(message = 'The job was cancelled'): DOMException {
  return new DOMException(message, 'AbortError');
}

/** `promise`'s value, or undefined as soon as `signal` aborts (the promise is left to settle
 *  on its own): a wait on user code that abort must be able to cut short. */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
