/** The message `f` throws, or 'no error': for tests of what a refusal says. */
export function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}
