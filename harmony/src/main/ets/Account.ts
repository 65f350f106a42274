/**
 * Enrolment and account security for the ArkUI pages: the enrolment steps
 * (identity → face check → texted code and PIN), the PIN pad, and the
 * words for account notices and relationships. Plain TypeScript over the
 * native types, run in the Node tests; the core and the platform decide,
 * this keeps the step and what to show.
 */
import type {
  AccountNotice,
  EcardClient,
  EnrolmentProgress,
  FaceCheck,
  FaceCheckRequest,
  Locale,
  NoticeKind,
  PersonIdentity,
  Relationship,
  Session,
} from 'libecard_harmony.so';
import { ErrorView, errorView } from './ErrorView';

/** Length of the e-card PIN (电子社保卡密码) and of texted codes. */
export const PIN_LENGTH = 6;

/** The PIN-pad keys in reading order, three to a row; '' is an empty cell, '⌫' deletes. */
export const PIN_KEYS: ReadonlyArray<string> = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '', '0', '⌫'];

/**
 * The PIN pad: six digits from large keys, shown as dots. The digits stay
 * here until `take()` hands them to the one call that needs them, and are
 * cleared then; nothing stores the PIN.
 */
export class PinPad {
  private digits = '';

  /** How many dots to show. */
  get entered(): number {
    return this.digits.length;
  }

  get complete(): boolean {
    return this.digits.length === PIN_LENGTH;
  }

  /** A key of {@link PIN_KEYS}: a digit, '⌫', or '' (nothing). */
  press(key: string): void {
    if (key === '⌫') {
      this.digits = this.digits.slice(0, -1);
    } else if (/^[0-9]$/.test(key) && this.digits.length < PIN_LENGTH) {
      this.digits += key;
    }
  }

  clear(): void {
    this.digits = '';
  }

  /** The PIN once complete, emptying the pad; null before. */
  take(): string | null {
    if (!this.complete) return null;
    const pin = this.digits;
    this.digits = '';
    return pin;
  }
}

export type EnrolmentStep = 'identity' | 'face_check' | 'code_and_pin' | 'done';

/**
 * Enrolment (开通电子社保卡) as a screen goes through it. Each step answers
 * the error to show, or null; `step` moves on only when the core agreed.
 */
export class EnrolmentFlow {
  private readonly client: EcardClient;
  step: EnrolmentStep = 'identity';
  progress: EnrolmentProgress | null = null;
  session: Session | null = null;

  constructor(client: EcardClient) {
    this.client = client;
  }

  private async run<T>(work: () => Promise<T>, then: (value: T) => void): Promise<ErrorView | null> {
    try {
      then(await work());
      return null;
    } catch (error) {
      return errorView(error, this.client.locale());
    }
  }

  /** Step 1: the name and document number. */
  async begin(identity: PersonIdentity): Promise<ErrorView | null> {
    return await this.run(() => this.client.beginEnrolment(identity), (progress) => {
      this.progress = progress;
      this.step = 'face_check';
    });
  }

  /** Step 2: the face check. A refused identity starts over; a cancelled capture may be retried. */
  async checkFace(face: FaceCheck): Promise<ErrorView | null> {
    const error = await this.run(() => this.client.confirmPresence(face), (progress) => {
      this.progress = progress;
      this.step = 'code_and_pin';
    });
    if (error !== null && error.category === 'invalid_input') {
      this.step = 'identity';
      this.progress = null;
    }
    return error;
  }

  /** Step 3: the texted code (null after another device approved) and, when asked for, the new PIN. */
  async complete(code: string | null, pin: string | null): Promise<ErrorView | null> {
    const trimmed = code === null ? null : code.trim();
    return await this.run(
      () => this.client.completeEnrolment(trimmed === '' ? null : trimmed, this.progress?.pinRequired ? pin : null),
      (session) => {
        this.session = session;
        this.step = 'done';
      },
    );
  }

  restart(): void {
    this.step = 'identity';
    this.progress = null;
    this.session = null;
  }
}

/**
 * The face check of a build without the face platform's SDK: always
 * unavailable, so the core tells the person to try later or go to an
 * outlet. A release build passes its SDK's adapter instead.
 */
export class UnavailableFaceCheck implements FaceCheck {
  check(_request: FaceCheckRequest): string {
    throw Object.assign(new Error('no face platform SDK in this build'), { code: 'unavailable' });
  }
}

type Pair = [string, string];

const NOTICES: Record<NoticeKind, Pair> = {
  enrolment_requested: ['有新设备申请开通您的电子社保卡', 'A new device asks to join your e-card'],
  device_enrolled: ['您的电子社保卡已在新设备上启用', 'Your e-card was enabled on a new device'],
  device_unlinked: ['一台设备已解除关联', 'A device was unlinked'],
  pin_changed: ['电子社保卡密码已修改', 'Your e-card PIN was changed'],
  pin_locked: ['电子社保卡密码已锁定', 'Your e-card PIN is locked'],
  phone_changed: ['预留手机号已更换', 'The phone on record was changed'],
};

/** What to tell the person about an account notice (with the device's name when there is one). */
export function noticeLabel(notice: AccountNotice, locale: Locale): string {
  const text = NOTICES[notice.kind][locale === 'en' ? 1 : 0];
  if (notice.deviceName === null) return text;
  return locale === 'en' ? `${text}: ${notice.deviceName}` : `${text}：${notice.deviceName}`;
}

const RELATIONSHIPS: Record<Relationship, Pair> = {
  spouse: ['配偶', 'Spouse'],
  child: ['子女', 'Child'],
  parent: ['父母', 'Parent'],
  grandchild: ['孙子女', 'Grandchild'],
  sibling: ['兄弟姐妹', 'Sibling'],
  other_relative: ['其他亲属', 'Other relative'],
};

/** The relationships a family proxy may declare, in the order a picker shows them. */
export const RELATIONSHIPS_IN_ORDER: ReadonlyArray<Relationship> = ['child', 'spouse', 'parent', 'grandchild', 'sibling', 'other_relative'];

export function relationshipLabel(relationship: Relationship, locale: Locale): string {
  return RELATIONSHIPS[relationship][locale === 'en' ? 1 : 0];
}
