/**
 * A rule construct with no faithful KQL form on a target. The conversion never drops or widens a
 * condition to get a query: the rule is reported as not convertible, naming the construct.
 */
export class KqlUnsupported extends Error {
  /** Where in the rule (`detection.selection.CommandLine|re`), when known. */
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'KqlUnsupported';
    this.path = path;
  }

  /** The same problem, located at `path` (the innermost location is kept). */
  at(path: string): KqlUnsupported {
    return this.path ? this : new KqlUnsupported(this.message, path);
  }
}
