/**
 * A template parse or execution error. The message is exactly Go's, e.g.
 * `template: :1: unclosed action` or
 * `template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"`.
 * Docker's CLI prefixes it with `template parsing error: `; callers add that.
 */
export class TemplateError extends Error {
  override name = 'TemplateError';
}
