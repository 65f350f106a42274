/**
 * Social-insurance self-service for the ArkUI pages (issue 18): 权益记录 by
 * year and insurance, 参保证明, 待遇资格认证 (also 为家人认证 under a
 * mandate), 待遇发放 (payments) and 金融功能挂失. Plain TypeScript over the
 * native types, run in the Node tests against the real library. The core
 * fetches, caches, seals and decides; this turns its values into what the
 * screens say: yuan from fen, how fresh a record is, eligibility in words
 * and the days left, and the hotline to call after a financial loss report.
 */
import type {
  BankFunctionState,
  CertificateKind,
  CertificateState,
  CertificateView,
  ClientEvent,
  Delegation,
  EcardClient,
  EligibilityState,
  EligibilityView,
  FaceCheck,
  Freshness,
  Insurance,
  Locale,
  MonthLine,
  Payment,
  PaymentSource,
  PersonIdentity,
  RecordsView,
  Scheme,
  Submission,
} from 'libecard_harmony.so';
import { ErrorView, errorView } from './ErrorView';

type Pair = [string, string];

function pick(locale: Locale, pair: Pair): string {
  return locale === 'en' ? pair[1] : pair[0];
}

/** Seconds in a day. */
const DAY = 86_400;

/**
 * An amount in fen as yuan with two decimals and thousands separators
 * (123456 → "1,234.56"), in whole numbers so no cent is lost to rounding.
 */
export function yuan(fen: number): string {
  const whole = Math.trunc(Math.abs(fen));
  const sign = fen < 0 ? '-' : '';
  const integer = Math.floor(whole / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (whole % 100).toString().padStart(2, '0');
  return `${sign}${integer}.${cents}`;
}

/** An amount as the screens show it: "1,234.56 元" (zh-CN) or "¥1,234.56" (en). */
export function amountText(fen: number, locale: Locale): string {
  return locale === 'en' ? `¥${yuan(fen)}` : `${yuan(fen)} 元`;
}

/** How long ago, in plain words: 刚刚 / 5 分钟前 / 3 小时前 / 2 天前. */
export function ageText(seconds: number, locale: Locale): string {
  const age = Math.max(0, Math.floor(seconds));
  if (age < 60) return pick(locale, ['刚刚', 'just now']);
  if (age < 3_600) {
    const minutes = Math.floor(age / 60);
    return locale === 'en' ? `${minutes} min ago` : `${minutes} 分钟前`;
  }
  if (age < DAY) {
    const hours = Math.floor(age / 3_600);
    return locale === 'en' ? `${hours} h ago` : `${hours} 小时前`;
  }
  const days = Math.floor(age / DAY);
  return locale === 'en' ? `${days} day${days === 1 ? '' : 's'} ago` : `${days} 天前`;
}

/** What a screen says about how fresh its data is. */
export interface FreshnessNote {
  /** Shown from this phone because the platform could not be reached (离线). */
  offline: boolean;
  /** Older than a day: "可能不是最新". */
  stale: boolean;
  /** The line to show, or null when the data is fresh and online (nothing to say). */
  text: string | null;
}

/**
 * The freshness line of a record, eligibility or account: nothing when it
 * is fresh and online; else 离线 and/or 可能不是最新, with when it was last
 * confirmed.
 */
export function freshnessNote(freshness: Freshness, locale: Locale): FreshnessNote {
  const { offline, stale } = freshness;
  if (!offline && !stale) return { offline, stale, text: null };
  const parts: string[] = [];
  if (offline) parts.push(pick(locale, ['离线', 'Offline']));
  if (stale) parts.push(pick(locale, ['可能不是最新', 'May not be up to date']));
  const text =
    locale === 'en'
      ? `${parts.join(' · ')} (updated ${ageText(freshness.ageSeconds, locale)})`
      : `${parts.join(' · ')}（${ageText(freshness.ageSeconds, locale)}更新）`;
  return { offline, stale, text };
}

const INSURANCES: Record<Insurance, Pair> = {
  pension: ['养老保险', 'Pension insurance'],
  medical: ['医疗保险', 'Medical insurance'],
  unemployment: ['失业保险', 'Unemployment insurance'],
  work_injury: ['工伤保险', 'Work-injury insurance'],
};

/** The four insurances in the order the record lists them. */
export const INSURANCES_IN_ORDER: readonly Insurance[] = ['pension', 'medical', 'unemployment', 'work_injury'];

export function insuranceLabel(insurance: Insurance, locale: Locale): string {
  return pick(locale, INSURANCES[insurance]);
}

const SCHEMES: Record<Scheme, Pair> = {
  employee: ['职工', 'Employee'],
  flexible_employment: ['灵活就业', 'Flexible employment'],
  resident: ['城乡居民', 'Urban and rural resident'],
};

export function schemeLabel(scheme: Scheme, locale: Locale): string {
  return pick(locale, SCHEMES[scheme]);
}

/** One year of the record as a row: all insurances, or one. */
export interface YearRow {
  year: number;
  /** Months with a contribution (of the insurance; the most of any insurance for all). */
  months: number;
  monthsOwed: number;
  /** The person's shares, fen. */
  personal: number;
  /** The employers' shares, fen. */
  employer: number;
}

/**
 * The years of a record, newest first, for all insurances or one (years
 * without that insurance are left out).
 */
export function yearRows(view: RecordsView, insurance?: Insurance | null): YearRow[] {
  const rows: YearRow[] = [];
  for (const year of view.years) {
    const lines = year.insurances.filter((line) => insurance === null || insurance === undefined || line.insurance === insurance);
    if (lines.length === 0) continue;
    rows.push({
      year: year.year,
      months: Math.max(...lines.map((line) => line.months)),
      monthsOwed: insurance ? lines.reduce((sum, line) => sum + line.monthsOwed, 0) : year.monthsOwed,
      personal: lines.reduce((sum, line) => sum + line.personal, 0),
      employer: lines.reduce((sum, line) => sum + line.employer, 0),
    });
  }
  return rows;
}

/** A year's row in words: "2024 年 · 12 个月 · 个人 1,234.56 元 · 单位 2,468.00 元 · 欠缴 1 个月". */
export function yearLine(row: YearRow, locale: Locale): string {
  const parts =
    locale === 'en'
      ? [`${row.year}`, `${row.months} months`, `personal ${amountText(row.personal, locale)}`, `employer ${amountText(row.employer, locale)}`]
      : [`${row.year} 年`, `${row.months} 个月`, `个人 ${amountText(row.personal, locale)}`, `单位 ${amountText(row.employer, locale)}`];
  if (row.monthsOwed > 0) parts.push(locale === 'en' ? `${row.monthsOwed} owed` : `欠缴 ${row.monthsOwed} 个月`);
  return parts.join(' · ');
}

/** One month in words: the month, the insurance, who paid, both shares, and 欠缴 when owed. */
export function monthText(line: MonthLine, locale: Locale): string {
  const payer = line.employerName ?? schemeLabel(line.scheme, locale);
  const parts = [
    line.month,
    insuranceLabel(line.insurance, locale),
    payer,
    locale === 'en' ? `personal ${amountText(line.personal, locale)}` : `个人 ${amountText(line.personal, locale)}`,
    locale === 'en' ? `employer ${amountText(line.employer, locale)}` : `单位 ${amountText(line.employer, locale)}`,
  ];
  if (!line.paid) parts.push(pick(locale, ['欠缴', 'owed']));
  return parts.join(' · ');
}

/** The insurances a record has, in the usual order (the filter chips of the screen). */
export function insurancesOf(view: RecordsView): Insurance[] {
  const present = new Set(view.participations.map((participation) => participation.insurance));
  for (const year of view.years) for (const line of year.insurances) present.add(line.insurance);
  return INSURANCES_IN_ORDER.filter((insurance) => present.has(insurance));
}

const CERTIFICATE_KINDS: Record<CertificateKind, Pair> = {
  participation: ['参保证明', 'Certificate of insurance'],
  contribution_record: ['缴费证明', 'Certificate of contributions'],
};

export function certificateKindLabel(kind: CertificateKind, locale: Locale): string {
  return pick(locale, CERTIFICATE_KINDS[kind]);
}

const CERTIFICATE_STATES: Record<CertificateState, Pair> = {
  valid: ['有效', 'Valid'],
  expired: ['已过期', 'Expired'],
  unknown: ['查无此证明', 'No such certificate'],
};

export function certificateStateLabel(state: CertificateState, locale: Locale): string {
  return pick(locale, CERTIFICATE_STATES[state]);
}

/** A certificate's title: its kind, and the insurance and years when it names them. */
export function certificateTitle(view: CertificateView, locale: Locale): string {
  const certificate = view.certificate;
  const details: string[] = [];
  if (certificate.insurance) details.push(insuranceLabel(certificate.insurance, locale));
  if (certificate.fromYear !== undefined && certificate.fromYear !== null) {
    details.push(`${certificate.fromYear}–${certificate.toYear ?? ''}`);
  }
  const kind = certificateKindLabel(certificate.kind, locale);
  if (details.length === 0) return kind;
  return locale === 'en' ? `${kind} (${details.join(', ')})` : `${kind}（${details.join('，')}）`;
}

/** A verification code grouped for reading aloud: `ABCD EFGH JKMN PQRS`. */
export function groupedCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ');
}

const ELIGIBILITY_STATES: Record<EligibilityState, Pair> = {
  not_required: ['无需认证', 'Not required'],
  certified: ['已认证', 'Certified'],
  due: ['待认证', 'Due'],
  overdue: ['已逾期，请尽快认证', 'Overdue: certify soon'],
  suspended: ['养老金已暂停发放', 'Pension payments suspended'],
};

/** The state of a pensioner's certification in words. */
export function eligibilityLabel(state: EligibilityState, locale: Locale): string {
  return pick(locale, ELIGIBILITY_STATES[state]);
}

/** The China calendar day (UTC+8) of a platform time, `YYYY-MM-DD`. */
export function chinaDay(unixSeconds: number): string {
  return new Date((unixSeconds + 8 * 3_600) * 1_000).toISOString().slice(0, 10);
}

/**
 * Days from the China day of `now` (platform time, Unix seconds) to the day
 * `dueBy` (`YYYY-MM-DD`): 0 on the day itself, negative once it has passed.
 */
export function daysLeft(dueBy: string, now: number): number {
  const due = Date.parse(`${dueBy}T00:00:00Z`);
  const today = Date.parse(`${chinaDay(now)}T00:00:00Z`);
  return Math.round((due - today) / (DAY * 1_000));
}

/** The line under the state: how long is left, or what happens now. */
export function eligibilityHint(view: EligibilityView, now: number, locale: Locale): string {
  const status = view.status;
  if (status.state === 'not_required' || status.dueBy === null || status.dueBy === undefined) {
    return pick(locale, ['无需进行待遇资格认证', 'No certification is needed']);
  }
  if (status.paymentsSuspended) {
    return pick(locale, [
      '认证后恢复发放，暂停期间的养老金将一并补发',
      'Certify to resume payments; the withheld months are paid together',
    ]);
  }
  const days = daysLeft(status.dueBy, now);
  if (days < 0) {
    return locale === 'en'
      ? `Due on ${status.dueBy}, ${-days} days ago`
      : `已超过认证期限 ${-days} 天（${status.dueBy}）`;
  }
  return locale === 'en'
    ? `${days} days left to certify (by ${status.dueBy})`
    : `还有 ${days} 天，请在 ${status.dueBy} 前完成认证`;
}

/** The words of an `eligibility_reminder` event (or null for other events). */
export function reminderText(event: ClientEvent, locale: Locale): string | null {
  if (event.kind !== 'eligibility_reminder') return null;
  if (event.suspended) {
    return pick(locale, [
      '养老金已暂停发放：请尽快完成待遇资格认证',
      'Pension payments are suspended: please certify soon',
    ]);
  }
  return locale === 'en'
    ? `Pension certification due by ${event.dueBy} (${event.daysBefore} days left)`
    : `请在 ${event.dueBy} 前完成待遇资格认证（还有 ${event.daysBefore} 天）`;
}

/**
 * The relatives this account may certify for (为家人认证): active mandates
 * with the `eligibility` scope held by this account.
 */
export function eligibilityMandates(mandates: ReadonlyArray<Delegation>, accountId: string | null): Delegation[] {
  return mandates.filter(
    (mandate) =>
      mandate.status === 'active' &&
      mandate.scopes.includes('eligibility') &&
      (accountId === null || mandate.agentAccountId === accountId),
  );
}

/**
 * The account holder's own identity, as enrolled (for a certification of
 * one's own: the face check names the pensioner). Local I/O only; null when
 * not enrolled.
 */
export function ownIdentity(client: EcardClient): PersonIdentity | null {
  return client.exportPersonalData().session?.identity ?? null;
}

/**
 * 为家人认证 (or one's own, with `personId` null): the pensioner's face on
 * this phone; answers the new view, or the error to show (a helper's own
 * face is refused by the platform: `identity_not_verified`).
 */
export async function certifyEligibility(
  client: EcardClient,
  personId: string | null,
  pensioner: PersonIdentity,
  face: FaceCheck,
): Promise<{ ok: true; view: EligibilityView } | { ok: false; error: ErrorView }> {
  try {
    return { ok: true, view: await client.certifyEligibility(personId, pensioner, face) };
  } catch (error) {
    return { ok: false, error: errorView(error, client.locale()) };
  }
}

const PAYMENT_SOURCES: Record<PaymentSource, Pair> = {
  pension: ['养老金', 'Pension'],
  subsidy: ['惠民惠农补贴', 'Subsidy'],
  wages: ['农民工工资', 'Wages'],
};

export function paymentSourceLabel(source: PaymentSource, locale: Locale): string {
  return pick(locale, PAYMENT_SOURCES[source]);
}

/** A payment in words: the day, where it comes from, the amount. */
export function paymentText(payment: Payment, locale: Locale): string {
  return `${payment.paidOn} · ${paymentSourceLabel(payment.source, locale)} · ${amountText(payment.amountFen, locale)}`;
}

const BANK_FUNCTION_STATES: Record<BankFunctionState, Pair> = {
  active: ['正常', 'Active'],
  loss_reported: ['已挂失（请致电银行完成挂失）', 'Reported lost (call the bank to complete it)'],
  closed: ['已销户', 'Closed'],
};

export function bankFunctionLabel(state: BankFunctionState, locale: Locale): string {
  return pick(locale, BANK_FUNCTION_STATES[state]);
}

/** What the 金融功能挂失 screen shows once the report is made. */
export interface FinancialLossOutcome {
  submission: Submission;
  /** Confirmed by the platform (else waiting in the outbox, sent when online). */
  done: boolean;
  /** The bank's hotline to call to complete the report (from the cached account), if known. */
  hotline: string | null;
}

/**
 * 金融功能挂失: reports the card's bank function lost through the outbox
 * (nothing is lost offline) and answers the bank's hotline to call, from the
 * account last fetched — there even before the report is sent.
 */
export async function reportFinancialLoss(client: EcardClient, cardId: string): Promise<FinancialLossOutcome> {
  const submission = await client.reportFinancialLoss(cardId);
  const account = client.financialAccountCached(cardId);
  return {
    submission,
    done: submission.state === 'done',
    hotline: account?.account.bank.hotline ?? null,
  };
}
