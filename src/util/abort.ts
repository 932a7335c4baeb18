/** The error a cancelled job or run rejects with: a DOMException named 'AbortError', as
 *  fetch and the other AbortSignal-aware web APIs use. */
export function abortError(message = 'The job was cancelled'): DOMException {
  return new DOMException(message, 'AbortError');
}
