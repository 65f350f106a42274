/**
 * What a screen shows for an error: the core's plain-language message and
 * what the person can do, as the core decides it from the error's category
 * and code (`errorAction`, the same on every platform). Shown inline
 * (never a pop-up in elder mode).
 */
import { errorAction, errorActionLabel } from 'libecard_harmony.so';
import type { EcardError, ErrorAction, ErrorCategory, Locale } from 'libecard_harmony.so';

export type { ErrorAction };

export interface ErrorView {
  readonly message: string;
  readonly category: ErrorCategory;
  readonly action: ErrorAction;
  /** The field to highlight, if any. */
  readonly field: string | null;
  /** The button label for the action, or '' when there is none. */
  readonly actionLabel: string;
}

const CATEGORIES: ReadonlyArray<ErrorCategory> = [
  'network',
  'not_found',
  'invalid_input',
  'not_allowed',
  'revoked',
  'internal',
];

/** Whether a thrown value is an error of the binding. */
export function isEcardError(error: unknown): error is EcardError {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as Partial<EcardError>;
  return typeof candidate.code === 'string' && CATEGORIES.includes(candidate.category as ErrorCategory);
}

/** The view of any thrown value (non-binding errors become `internal`). */
export function errorView(error: unknown, locale: Locale): ErrorView {
  if (!isEcardError(error)) {
    const message = locale === 'en'
      ? 'Something went wrong in the app. Please reopen it and try again.'
      : '应用出了点问题，请重新打开应用后再试。';
    return { message, category: 'internal', action: 'reopen', field: null, actionLabel: errorActionLabel('reopen', locale) };
  }
  const action = errorAction(error.category, error.code);
  return {
    message: error.message,
    category: error.category,
    action,
    field: error.field ?? null,
    actionLabel: errorActionLabel(action, locale),
  };
}
