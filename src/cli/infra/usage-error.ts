/**
 * The user typed the command wrong (unknown flag, bad value, missing argument).
 * runCommand turns it into exit status 2 plus a pointer to the command's --help,
 * so the message itself only has to say what was wrong and how to fix it.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
