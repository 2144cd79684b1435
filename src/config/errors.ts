/**
 * A configuration problem, always located: the file, the 1-based line (0 when the problem is not on one line,
 * e.g. a required key that is missing) and the key involved. The loader throws it instead of exiting, unlike
 * mTCP's `exit()` on bad numbers.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number;
  readonly key: string;

  constructor(file: string, line: number, key: string, message: string) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${message}`);
    this.name = 'ConfigError';
    this.file = file;
    this.line = line;
    this.key = key;
  }
}
