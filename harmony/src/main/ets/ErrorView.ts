/**
 * What a screen shows for an error: the core's plain-language message and
 * what the person can do, chosen by the error's category. Shown inline
 * (never a pop-up in elder mode).
 */
import type { EcardError, ErrorCategory, Locale } from 'libecard_harmony.so';

export type ErrorAction = 'retry' | 'fix_field' | 'go_to_counter' | 'reopen' | 'none';

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

const LABELS: Record<ErrorAction, [string, string]> = {
  retry: ['重试', 'Try again'],
  fix_field: ['去修改', 'Correct it'],
  go_to_counter: ['查找网点', 'Find an outlet'],
  reopen: ['重新打开', 'Reopen'],
  none: ['', ''],
};

function actionFor(category: ErrorCategory, code: string): ErrorAction {
  switch (category) {
    case 'network':
      return 'retry';
    case 'invalid_input':
      return 'fix_field';
    case 'not_allowed':
      return code === 'not_allowed_by_rules' ? 'go_to_counter' : 'none';
    case 'revoked':
      return code === 'card_suspended' ? 'go_to_counter' : 'retry';
    case 'internal':
      return 'reopen';
    case 'not_found':
      return 'none';
  }
}

/** The view of any thrown value (non-binding errors become `internal`). */
export function errorView(error: unknown, locale: Locale): ErrorView {
  if (!isEcardError(error)) {
    const message = locale === 'en'
      ? 'Something went wrong in the app. Please reopen it and try again.'
      : '应用出了点问题，请重新打开应用后再试。';
    return { message, category: 'internal', action: 'reopen', field: null, actionLabel: LABELS.reopen[locale === 'en' ? 1 : 0] };
  }
  const action = actionFor(error.category, error.code);
  return {
    message: error.message,
    category: error.category,
    action,
    field: error.field ?? null,
    actionLabel: LABELS[action][locale === 'en' ? 1 : 0],
  };
}
