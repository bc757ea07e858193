// `[model:provider/name]` in a reply's subject picks the model for the continuation task.

export interface ModelDirective {
  /** `provider/name` (or a bare name), null when the subject has no directive. */
  model: string | null;
  /** The subject without the directive. */
  subject: string;
}

const DIRECTIVE = /\[\s*model\s*:\s*([A-Za-z0-9][A-Za-z0-9._:@-]*(?:\/[A-Za-z0-9._:@-]+)*)\s*\]/i;

export function parseModelDirective(subject: string): ModelDirective {
  const match = DIRECTIVE.exec(subject);
  if (!match) return { model: null, subject: subject.trim() };
  const rest = subject.slice(0, match.index) + subject.slice(match.index + match[0].length);
  return { model: match[1], subject: rest.replace(/\s{2,}/g, ' ').trim() };
}
