/** Values a custom tool's arguments can refer to as {name}. */
export type PlaceholderValues = Record<string, string | null | undefined>;

const PLACEHOLDER = /\{([a-z_]+)\}/g;

/**
 * Expands {prompt}, {model}, {session_id}, {task_id}, {title}, ... in each argument. An argument
 * that is only a placeholder whose value is missing or empty is dropped (so an optional model
 * does not become an empty argument); inside a longer argument a missing value is empty.
 * Unknown placeholders are left as written. Values are never re-expanded.
 */
export function expandArgs(args: string[], values: PlaceholderValues): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const only = /^\{([a-z_]+)\}$/.exec(arg);
    if (only && only[1] in values) {
      const v = values[only[1]];
      if (v !== null && v !== undefined && v !== '') out.push(v);
      continue;
    }
    out.push(arg.replace(PLACEHOLDER, (whole, name: string) => (name in values ? (values[name] ?? '') : whole)));
  }
  return out;
}
