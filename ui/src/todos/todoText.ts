/** The server's rules for a todo's text, checked before anything is sent. */
export const MAX_TEXT_LENGTH = 500;

export function textProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.length === 0) return 'Write something first.';
  if (trimmed.length > MAX_TEXT_LENGTH) return `At most ${MAX_TEXT_LENGTH} characters.`;
  return null;
}
