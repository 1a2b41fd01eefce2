import { RecaError } from '@reca/runtime';

/** One line describing `error` for the terminal: the message of a RecA error, or `name: message` of anything else. */
export function formatErrorLine(error: unknown): string {
  const text =
    RecaError.isInstance(error) || !(error instanceof Error)
      ? error instanceof Error
        ? error.message
        : String(error)
      : `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
