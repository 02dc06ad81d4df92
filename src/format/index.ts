// Output formatting for crosstalk: Go text/template, Docker's tables, natural
// sort, Go time strings. Browser-safe: no Node modules are imported here.

export { TemplateError } from './template-error.js';
export {
  executeTemplate,
  parseTemplate,
  runTemplate,
  withHeaderFuncs,
  type ExecOptions,
  type ParseOptions,
  type Template,
} from './template.js';
export {
  GoFloat,
  GoNil,
  GoNumber,
  GoStruct,
  GoTime,
  NO_VALUE,
  goFloat,
  goTyped,
  type GoCallable,
  type GoFuncSpec,
  type GoParam,
  type GoStructOptions,
} from './go-values.js';
export { formatValue, sprint, sprintln } from './go-print.js';
export { sprintf } from './go-printf.js';
export { quote } from './go-quote.js';
export { encodeJson, parseJsonUseNumber } from './go-json.js';
export { tabwrite, type TabwriterOptions } from './tabwriter.js';
export { displayWidth, runeWidth } from './display-width.js';
export { naturalCompare, naturalLess } from './natural-sort.js';
export {
  formatDockerDate,
  formatGoLayout,
  formatGoTimeString,
  formatRfc3339Nano,
  humanDuration,
  parseGoDuration,
  parseUntil,
} from './go-time.js';
export { formatterContext, isTableFormat, preFormat, renderList, type ListFormatSpec } from './docker-formatter.js';
