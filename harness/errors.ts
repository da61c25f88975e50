// Errors that end a run before it starts (exit code 2): each says what to do.
export class SetupError extends Error {
  override name = 'SetupError';
}
