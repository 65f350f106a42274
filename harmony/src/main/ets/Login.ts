/**
 * 扫一扫, the login consent screen (扫码登录), 我的授权 and 谁查看了我的信息
 * for the ArkUI pages: plain TypeScript over the native types, run in the
 * Node tests, with the same rules as the Android screen models
 * (android/ecard …/LoginModels.kt). The core classifies a scan, answers the
 * relying party's registered name (never text from the QR code) and decides
 * every approval; this keeps the screen's state, counts down on the
 * platform's clock and orders lists. Words come from the app's string
 * resources, keyed by the values below.
 */
import { classifyScan } from 'libecard_harmony.so';
import type {
  AccessRecord,
  AccessReportReason,
  Authorisation,
  ClaimScope,
  Delegation,
  EcardClient,
  LoginRequestView,
} from 'libecard_harmony.so';
import { ErrorView, errorView } from './ErrorView';

/** Where a scan leads: the consent screen, the e-card notice, or a plain error. */
export type ScanRoute =
  | { kind: 'login'; requestId: string }
  | { kind: 'e_card_code' }
  | { kind: 'not_recognised' };

/** The route for the text the platform scanner read. Pure: safe on the UI thread. */
export function scanRoute(text: string): ScanRoute {
  const result = classifyScan(text);
  switch (result.kind) {
    case 'login':
      return result.loginRequestId ? { kind: 'login', requestId: result.loginRequestId } : { kind: 'not_recognised' };
    case 'e_card_code':
      return { kind: 'e_card_code' };
    default:
      return { kind: 'not_recognised' };
  }
}

/**
 * A claim in plain words (string resources `login_claim_*`: 姓名, 身份证号,
 * 社保卡状态, and 只确认是您本人 when nothing more is asked).
 */
export type ClaimLabel = 'name' | 'id_number' | 'social_security_card' | 'only_who_you_are';

const CLAIM_ORDER: ReadonlyArray<ClaimLabel> = ['name', 'id_number', 'social_security_card'];

/** The plain-word claims of `scopes`, in a fixed order, without repeats. */
export function claimLabels(scopes: ReadonlyArray<ClaimScope>): ClaimLabel[] {
  const asked = new Set<ClaimLabel>();
  for (const scope of scopes) {
    if (scope === 'profile') asked.add('name');
    if (scope === 'id_number') asked.add('id_number');
    if (scope === 'social_security') asked.add('social_security_card');
  }
  const labels = CLAIM_ORDER.filter((label) => asked.has(label));
  return labels.length > 0 ? labels : ['only_who_you_are'];
}

/** Whole seconds until `expiresAt` at the platform's time `now` (never negative). */
export function secondsUntil(expiresAt: number, now: number): number {
  return Math.max(0, Math.floor(expiresAt - now));
}

/**
 * The mandates this account may log in under for a relative (为家人登录):
 * active, carrying the `login` scope, held by this account.
 */
export function loginMandates(mandates: ReadonlyArray<Delegation>, accountId: string | null): Delegation[] {
  return mandates.filter(
    (mandate) =>
      mandate.status === 'active' &&
      mandate.scopes.includes('login') &&
      (accountId === null || mandate.agentAccountId === accountId),
  );
}

/** 我的授权 as listed: the ones in force first, newest first; revoked ones after. */
export function authorisationList(authorisations: ReadonlyArray<Authorisation>): {
  active: Authorisation[];
  revoked: Authorisation[];
} {
  const sorted = [...authorisations].sort(
    (a, b) => b.authorisedAt - a.authorisedAt || a.authorisationId.localeCompare(b.authorisationId),
  );
  return {
    active: sorted.filter((entry) => entry.revokedAt === null || entry.revokedAt === undefined),
    revoked: sorted.filter((entry) => entry.revokedAt !== null && entry.revokedAt !== undefined),
  };
}

/** One China day (`YYYY-MM-DD`) of access records, newest first. */
export interface AccessRecordDay {
  date: string;
  records: AccessRecord[];
}

/** Access records grouped by their day in China time, newest day first. */
export function accessRecordDays(records: ReadonlyArray<AccessRecord>): AccessRecordDay[] {
  const sorted = [...records].sort((a, b) => b.at - a.at || b.recordId.localeCompare(a.recordId));
  const days: AccessRecordDay[] = [];
  for (const record of sorted) {
    const date = new Date((record.at + 8 * 3_600) * 1_000).toISOString().slice(0, 10);
    const last = days[days.length - 1];
    if (last !== undefined && last.date === date) {
      last.records.push(record);
    } else {
      days.push({ date, records: [record] });
    }
  }
  return days;
}

/** How a login request ended on the consent screen. */
export type LoginOutcome = 'approved' | 'denied' | 'expired';

/**
 * The login consent screen: the registered name and kind, the claims in
 * plain words, a countdown to expiry, the optional 为家人登录 choice, and
 * approve (with the PIN) or deny. Each act answers the error to show, or null.
 */
export class LoginConsent {
  private readonly client: EcardClient;
  request: LoginRequestView | null = null;
  claims: ClaimLabel[] = [];
  /** Mandates to offer for a relative; empty hides the choice. */
  mandates: Delegation[] = [];
  /** The chosen mandate, or null to log in as oneself. */
  onBehalfOf: string | null = null;
  secondsLeft = 0;
  outcome: LoginOutcome | null = null;

  constructor(client: EcardClient) {
    this.client = client;
  }

  /** Loads the request a scan named, and the mandates to offer. */
  async open(requestId: string): Promise<ErrorView | null> {
    let request: LoginRequestView;
    try {
      request = await this.client.loginRequest(requestId);
    } catch (error) {
      return errorView(error, this.client.locale());
    }
    let mandates: Delegation[] = [];
    try {
      mandates = await this.client.mandates();
    } catch {
      // Offline or refused: log in as oneself only.
    }
    this.request = request;
    this.claims = claimLabels(request.scopes);
    this.mandates = loginMandates(mandates, this.client.session()?.accountId ?? null);
    this.onBehalfOf = null;
    this.outcome =
      request.status === 'pending'
        ? null
        : request.status === 'denied'
          ? 'denied'
          : request.status === 'expired'
            ? 'expired'
            : 'approved';
    this.tick();
    return null;
  }

  /** Updates the countdown from the platform's clock; at zero the request has expired. */
  tick(): void {
    if (this.request === null) return;
    this.secondsLeft = secondsUntil(this.request.expiresAt, this.client.trustedNow());
    if (this.secondsLeft === 0 && this.outcome === null) this.outcome = 'expired';
  }

  /** Logs in for the relative of `delegationId` (null: as oneself). */
  choose(delegationId: string | null): void {
    this.onBehalfOf = this.mandates.some((mandate) => mandate.delegationId === delegationId) ? delegationId : null;
  }

  /** Approves with the e-card PIN. */
  async approve(pin: string): Promise<ErrorView | null> {
    return await this.decide(async (requestId) => {
      await this.client.approveLogin(requestId, pin, this.onBehalfOf);
      return 'approved';
    });
  }

  /** Denies the request. */
  async deny(): Promise<ErrorView | null> {
    return await this.decide(async (requestId) => {
      await this.client.denyLogin(requestId);
      return 'denied';
    });
  }

  private async decide(call: (requestId: string) => Promise<LoginOutcome>): Promise<ErrorView | null> {
    if (this.request === null || this.outcome !== null) return null;
    try {
      this.outcome = await call(this.request.requestId);
      return null;
    } catch (error) {
      return errorView(error, this.client.locale());
    }
  }
}

/** 这不是我: reports a record and sends it at once (it stays in the outbox if offline). */
export async function reportAccessRecord(
  client: EcardClient,
  recordId: string,
  reason: AccessReportReason,
  note: string,
): Promise<ErrorView | null> {
  try {
    const trimmed = note.trim();
    await client.reportAccessRecord(recordId, reason, trimmed.length > 0 ? trimmed : null);
    await client.processOutbox();
    return null;
  } catch (error) {
    return errorView(error, client.locale());
  }
}
