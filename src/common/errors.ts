/** An error meant for the user: one line, naming the file/row/month and what is wrong. */
export class CgerError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CgerError';
  }
}

/** The message of anything thrown, without a stack for errors meant for users. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
