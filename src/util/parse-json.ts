import type { z } from 'zod';

/**
 * parseJsonWith decodes `text` and validates it with a zod schema. Returns the value, or an Error
 * naming the first problem (`path: message`, or `not JSON`); readers skip such values.
 */
export function parseJsonWith<T>(schema: z.ZodType, text: string, what: string): T | Error {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return new Error('not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return new Error(issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : `invalid ${what}`);
  }
  return parsed.data as T;
}
