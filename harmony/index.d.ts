/**
 * Declarations of the native module `libecard_harmony.so` (HarmonyOS) /
 * `ecard.node` (Node): the Node-API binding of the ecard core
 * (`bindings/harmony`, crate `ecard-harmony`).
 *
 * Written by hand to give ArkTS and TypeScript precise types (string unions
 * for enum values); `harmony/test/surface.test.mjs` checks that every
 * class, static and instance member declared here is exported by the
 * library and that the library exports nothing undeclared.
 *
 * Conventions: property names are camelCase; enum values are the API's
 * snake_case strings; times are Unix seconds; money is in fen; bytes are
 * `Uint8Array`. Methods returning a Promise may do network, storage and
 * key-store I/O off the UI thread; the others are safe on the UI thread.
 * Failures are thrown (or rejected) as {@link EcardError}.
 */

// ---------------------------------------------------------------- errors

/** What the UI can do about an error. */
export type ErrorCategory =
  | 'network'
  | 'not_found'
  | 'invalid_input'
  | 'not_allowed'
  | 'revoked'
  | 'internal';

/** Every error of the library: a real `Error` with these properties. */
export interface EcardError extends Error {
  name: 'EcardError';
  /** Stable code (`invalid_id_check_digit`, `card_suspended`, `offline`, `client_closed`, …). */
  code: string;
  category: ErrorCategory;
  /** Plain-language message in the client's locale, to show as is. */
  message: string;
  /** The input at fault (`id_number`, `delivery.outlet_id`, …) or null. */
  field: string | null;
  /** English technical detail, for logs only. */
  detail: string;
}

// ---------------------------------------------------------------- enums

export type Locale = 'zh-CN' | 'en';
export type Suite = 'p256' | 'ed25519';
export type Purpose = 'transport' | 'medical' | 'identity' | 'culture_tourism';
export type HolderRole = 'holder' | 'proxy' | 'guardian';
export type CardStatus = 'active' | 'temporarily_lost' | 'formally_lost' | 'replaced' | 'cancelled';
export type ECardState = 'active' | 'suspended';
export type LossKind = 'temporary' | 'formal';
export type ReplacementKind = 'plain' | 'change_bank' | 'keep_number';
export type ApplicationState =
  | 'submitted'
  | 'paid'
  | 'in_production'
  | 'dispatched'
  | 'at_outlet'
  | 'received'
  | 'activated'
  | 'production_failed'
  | 'cancelled';
export type ApplicationAction = 'pay' | 'cancel' | 'confirm_receipt' | 'activate' | 'resubmit_photo';
export type DelegationKind = 'guardian' | 'family_proxy';
export type DelegationStatus = 'pending_consent' | 'active' | 'revoked' | 'expired';
export type Scope = 'apply' | 'replace' | 'report_loss' | 'activate' | 'show_code' | 'track';
export type Cluster = 'handle' | 'travel' | 'pay' | 'use';
export type Domain =
  | 'government_services'
  | 'human_resources_social_security'
  | 'medical_health'
  | 'transport'
  | 'tourism'
  | 'culture'
  | 'education'
  | 'fund_disbursement'
  | 'finance_payment'
  | 'smart_living'
  | 'rural_revitalization'
  | 'national_defence'
  | 'credit_services';
export type UsageMode =
  | 'identity_proof'
  | 'fee_payment'
  | 'benefit_receipt'
  | 'medical_settlement'
  | 'information_record'
  | 'self_service_enquiry'
  | 'financial_payment';
export type CardForm = 'physical_card' | 'e_card_code' | 'licence_display' | 'face';
export type Channel = 'counter' | 'self_service_terminal' | 'online' | 'mobile_app' | 'scanner';
export type OutletKind = 'human_resources_office' | 'bank_branch' | 'community_service_point';
export type OutletService =
  | 'apply'
  | 'instant_issue'
  | 'replace'
  | 'report_loss'
  | 'release_loss'
  | 'activate_social_function'
  | 'activate_bank_function'
  | 'pin_reset'
  | 'card_pickup';
export type OutboxState = 'pending' | 'done' | 'failed';
/** How a family proxy is related to the relative (declared, audited). */
export type Relationship = 'spouse' | 'child' | 'parent' | 'grandchild' | 'sibling' | 'other_relative';
/** Acts that need the e-card PIN (for `pinGrant`). */
export type PinAction =
  | 'unlink_device'
  | 'approve_device'
  | 'delete_account'
  | 'release_loss'
  | 'accept_mandate'
  | 'consent_mandate'
  | 'change_phone';
/** Why a face check runs. */
export type FacePurpose = 'enrolment' | 'mandate_consent' | 'pin_reset' | 'phone_change';
/** What happened to the account. */
export type NoticeKind =
  | 'enrolment_requested'
  | 'device_enrolled'
  | 'device_unlinked'
  | 'pin_changed'
  | 'pin_locked'
  | 'phone_changed';
export type MatchKind = 'characters' | 'pinyin' | 'details' | 'filter';

// ---------------------------------------------------------------- inputs

/** How to open a client. */
export interface ClientConfig {
  /** Directory for the database and the wrapped data key (created if missing). */
  dataDir: string;
  /** The platform, `https://…` (or `http://` on loopback). */
  platformUrl: string;
  /** Language of messages (default `zh-CN`; any `en…` tag means English). */
  locale?: Locale | string;
  /** A name for this device the resident recognises. */
  deviceName?: string;
  /** Region whose catalogue and rules to sync before enrolment (default `360000`). */
  defaultRegion?: string;
  /** Suite of the device key (default `p256`, which HUKS and every platform store support). */
  deviceSuite?: Suite;
  /** How long one key-store call may take, fingerprint prompt included (default 120). */
  keyStoreTimeoutSeconds?: number;
}

/** An answer that may come at once or later. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The device key store, implemented by the app (HUKS on HarmonyOS). The
 * private keys never leave it. Each method may answer directly or with a
 * Promise; the core waits off the UI thread. Throw (or reject) an `Error`
 * whose `code` is `not_found`, `user_cancelled` or `unsupported_suite`
 * for those cases; any other error is a key-store failure.
 */
export interface KeyStore {
  /** Makes (replacing) a signing key; answers its public key (raw, SEC1 or SubjectPublicKeyInfo DER). */
  generateKey(alias: string, suite: Suite): MaybePromise<Uint8Array>;
  /** The public key of a signing key, or null/undefined when there is none. */
  publicKey(alias: string): MaybePromise<Uint8Array | null | undefined>;
  /** Signs `message` (ECDSA P-256 with SHA-256: DER or r‖s; Ed25519: 64 bytes). */
  sign(alias: string, message: Uint8Array): MaybePromise<Uint8Array>;
  /** Deletes a signing key; a missing key is not an error. */
  deleteKey(alias: string): MaybePromise<void>;
  /** Seals `secret` under the wrapping key `alias` (AES-GCM; made on first use). */
  wrap(alias: string, secret: Uint8Array): MaybePromise<Uint8Array>;
  /** Opens what `wrap` sealed. */
  unwrap(alias: string, wrapped: Uint8Array): MaybePromise<Uint8Array>;
}

/** What the app's face check must capture and bind its result to. */
export interface FaceCheckRequest {
  purpose: FacePurpose;
  /** Whose face: their document type and number, for the face platform's comparison (never show or log it). */
  idType: string;
  idNumber: string;
  /** Their name, masked, for the capture screen ("请刘*本人正对屏幕"). */
  nameMasked: string;
  /** The platform's single-use challenge. */
  challenge: string;
  /** The binding of this device's key. */
  deviceBinding: string;
}

/**
 * The app's face check (the face platform's SDK: liveness and comparison
 * with the photo on record), implemented by the app. `check` answers the
 * face platform's signed result untouched, directly or with a Promise; the
 * core waits off the UI thread while the capture screen is shown. Throw (or
 * reject) an `Error` whose `code` is `cancelled` when the person closes the
 * capture; any other error means the face check is unavailable.
 */
export interface FaceCheck {
  check(request: FaceCheckRequest): MaybePromise<string>;
}

/** A document that identifies a person. */
export interface PersonIdentity {
  /** `resident_id`, `residence_permit_hmt`, `foreign_permanent_resident`, … */
  idType: string;
  idNumber: string;
  name: string;
}

/** Evidence of guardianship. */
export interface Evidence {
  /** `household_register` (户口簿) or `birth_certificate` (出生医学证明). */
  kind: 'household_register' | 'birth_certificate' | string;
  number: string;
}

/** How a card reaches its holder. */
export type Delivery =
  | { method: 'mail'; address: string; phone: string }
  | { method: 'pickup'; outletId: string };

/** A catalogue search; every field but `text` narrows it. */
export interface SearchQuery {
  /** Words in characters, full pinyin or initials; empty lists everything. */
  text?: string;
  region?: string | null;
  cluster?: Cluster | null;
  domain?: Domain | null;
  usageMode?: UsageMode | null;
  /** At most this many hits (0 or absent: 20). */
  limit?: number;
}

/** A nearest-outlets request. */
export interface OutletQuery {
  latitude: number;
  longitude: number;
  /** How many (0 or absent: 20). */
  limit?: number;
  service?: OutletService | null;
  openNowOnly?: boolean;
}

/** A first-card application form (申领). */
export interface NewCardForm {
  /** Absent for the account holder; else a person the account holds an `apply` mandate for. */
  personId?: string | null;
  photoJpeg: Uint8Array;
  /** Co-branded bank code (see `rules().banks`). */
  bank: string;
  phone: string;
  delivery: Delivery;
}

/** A replacement form (补换). */
export interface ReplacementForm {
  cardId: string;
  kind: ReplacementKind;
  /** The new bank (change of bank only). */
  bank?: string | null;
  /** A new photo; the one on file is reused when absent. */
  photoJpeg?: Uint8Array | null;
  delivery: Delivery;
}

/** A form in progress. */
export interface DraftForm {
  kind: 'new_card' | 'replacement';
  newCard?: NewCardForm | null;
  replacement?: ReplacementForm | null;
}

// ---------------------------------------------------------------- outputs

export interface Session {
  accountId: string;
  personId: string;
  deviceId: string;
}

/** Where an enrolment stands, for the next step. */
export interface EnrolmentProgress {
  enrolmentId: string;
  /** After the face check: the masked phone the one-time code went to (null: no phone on record). */
  codeSentTo: string | null;
  /** After the face check: whether an enrolled device can approve instead of the code. */
  approvalPossible: boolean;
  /** After the face check: whether finishing sets the e-card PIN (a new account). */
  pinRequired: boolean;
  /** Until when the enrolment may be finished. */
  expiresAt: number;
}

/** A device where this e-card is signed in. */
export interface DeviceView {
  deviceId: string;
  name: string;
  suite: Suite;
  enrolledAt: number;
  lastSeenAt: number | null;
  /** Whether this is the device asking. */
  current: boolean;
}

/** The answer to unlinking a device. */
export interface DeviceUnlinked {
  deviceId: string;
  unlinkedAt: number;
  /** Credentials revoked in the status list. */
  credentialsRevoked: number;
}

/** A new device of this account holder waiting for approval. */
export interface EnrolmentRequestView {
  enrolmentId: string;
  deviceName: string;
  deviceSuite: Suite;
  requestedAt: number;
  expiresAt: number;
}

/** The answer to starting a phone change. */
export interface PhoneChangeStarted {
  changeId: string;
  /** The old phone the code went to, masked. */
  codeSentTo: string;
  expiresAt: number;
}

/** Something that happened to the account (a device name at most; no personal data). */
export interface AccountNotice {
  noticeId: number;
  kind: NoticeKind;
  deviceName: string | null;
  at: number;
}

export interface CardView {
  cardId: string;
  personId: string;
  holderNameMasked: string;
  /** `holder` for the account holder's own cards; else how this device acts for the holder. */
  role: HolderRole;
  status: CardStatus;
  eCard: ECardState;
  cardNumberMasked: string;
  /** Null for a person acted for when the mandate's scopes do not disclose it. */
  bank: string | null;
  /** Whether this device stopped codes for it (loss report, revocation). */
  suspendedHere: boolean;
  credentialNotAfter: number | null;
}

export interface CatalogueState {
  itemsVersion: number;
  outletsVersion: number;
  itemCount: number;
  outletCount: number;
  /** When the platform last confirmed the cache, or null if never. */
  asOf: number | null;
}

export interface RecoveryReport {
  damagedCopy: string;
  saved: { table: string; rows: number }[];
  lost: string[];
}

/** What the UI renders; read without network or key-store I/O. */
export interface Snapshot {
  enrolled: boolean;
  nameMasked: string | null;
  idNumberMasked: string | null;
  cards: CardView[];
  catalogue: CatalogueState;
  online: boolean;
  clockOffsetSeconds: number;
  outboxPending: number;
  outboxFailed: number;
  recovery: RecoveryReport | null;
}

/** A code to show as a QR code. */
export interface CodeView {
  cardId: string;
  purpose: Purpose;
  /** The QR content, `EC1:` + base45. */
  text: string;
  /** QR version at ECC M. */
  qrVersion: number;
  issuedAt: number;
  expiresAt: number;
  /** Seconds left when the code was made (count down from here; refresh at 0). */
  secondsLeft: number;
  onBehalf: HolderRole;
  counter: number;
  credentialNotAfter: number;
}

export interface SyncReport {
  unchanged: boolean;
  itemsChanged: number;
  itemsRemoved: number;
  outletsChanged: number;
  outletsRemoved: number;
  rulesChanged: boolean;
}

export interface CatalogueItem {
  id: string;
  list: string;
  name: string;
  /** At most six characters, for elder mode. */
  shortLabel: string;
  description: string;
  cluster: Cluster;
  domain: Domain;
  usageModes: UsageMode[];
  cardForms: CardForm[];
  channels: Channel[];
  regions: string[];
  department: string;
  version: number;
}

export interface SearchHit {
  item: CatalogueItem;
  score: number;
  matched: MatchKind;
}

export interface OpeningPeriod {
  weekdays: number[];
  opens: number;
  closes: number;
}

export interface Outlet {
  id: string;
  name: string;
  kind: OutletKind;
  bank?: string;
  region: string;
  city: string;
  address: string;
  latitude: number;
  longitude: number;
  phone: string;
  hours: OpeningPeriod[];
  services: OutletService[];
  version: number;
}

export interface OutletHit {
  outlet: Outlet;
  distanceMetres: number;
  openNow: boolean;
}

export interface Bank {
  code: string;
  name: string;
}

export interface PhotoRules {
  minWidth: number;
  minHeight: number;
  maxWidth: number;
  maxHeight: number;
  minBytes: number;
  maxBytes: number;
}

/** The rules of a region (data, not code). */
export interface RegionalRules {
  region: string;
  name: string;
  version: number;
  temporaryLossLapseDays: number;
  releaseOnline: boolean;
  formalLossReversible: boolean;
  /** When the e-card works while the card is in production, temporarily lost, or being replaced. */
  eCardTiming: ECardTiming;
  cancelAfterSubmit: boolean;
  replacementFeeFen: number;
  postageFen: number;
  photo: PhotoRules;
  relativeQuota: number;
  credentialLifetimeHours: number;
  adultAge: number;
  banks: Bank[];
  productionDays: number;
  deliveryDays: number;
  /** The e-card PIN and enrolled devices. */
  accountSecurity: AccountSecurity;
}

export interface ECardTiming {
  /** From the start of production of a first card until it is received. */
  duringProduction: ECardState;
  /** While a temporary loss report is open (a formal one always suspends the e-card). */
  duringTemporaryLoss: ECardState;
  /** From the start of production of a replacement until it is received. */
  duringReplacement: ECardState;
}

export interface AccountSecurity {
  /** Wrong PINs in a row that lock it. */
  pinTries: number;
  /** Minutes a locked PIN stays locked (a face check resets it sooner). */
  pinLockMinutes: number;
  /** Devices that may be enrolled at once; one more unlinks the one seen least recently. */
  maxActiveDevices: number;
}

export interface LossReport {
  id: string;
  kind: LossKind;
  reportedAt: number;
  lapsesAt: number | null;
  endedAt: number | null;
}

/** A card; a helper sees what the mandate's scopes need (the optional fields are absent otherwise). */
export interface Card {
  cardId: string;
  personId: string;
  cardNumberMasked: string;
  /** Withheld from a helper unless `replace` or `track`. */
  bank?: string;
  /** Withheld from a helper unless `replace` or `track`. */
  region?: string;
  status: CardStatus;
  eCard: ECardState;
  socialFunctionEnabled: boolean;
  /** Withheld (null) from a helper unless `report_loss` or `track`. */
  lossReport: LossReport | null;
  /** Withheld from a helper unless `replace` or `track`. */
  issuedAt?: number;
}

export interface PersonSummary {
  personId: string;
  nameMasked: string;
  /** Withheld from a helper unless `apply`. */
  idNumberMasked?: string;
  /** Withheld from a helper unless `apply`. */
  birthDate?: string;
  cards: Card[];
}

export interface Profile {
  accountId: string;
  person: PersonSummary;
  /** People the account acts for under an active mandate. */
  principals: PersonSummary[];
  region: string;
}

/** What happened to a submission sent through the outbox. */
export interface Submission {
  outboxId: number;
  /** `done` when the platform answered, `pending` when queued (offline). */
  state: OutboxState;
  /** The platform's answer (camelCase), when done. */
  response: Record<string, unknown> | null;
}

export interface OutboxEntry {
  id: number;
  /** The idempotency key it is always sent with. */
  idempotencyKey: string;
  action: string;
  /** The platform path it is sent to. */
  path: string;
  subject: string | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
}

export interface Draft {
  draftId: string;
  form: DraftForm;
  updatedAt: number;
}

export type ApplicationKind = 'new_card' | { replacement: ReplacementKind };

export interface Application {
  applicationId: string;
  kind: ApplicationKind;
  personId: string;
  submittedBy: string;
  mandateId: string | null;
  state: ApplicationState;
  stages: { state: ApplicationState; at: number }[];
  feeFen: number;
  actions: ApplicationAction[];
  replacesCardId: string | null;
  cardId: string | null;
  failureReason: string | null;
  createdAt: number;
}

/** The step an application is at. */
export type FlowStep =
  | { kind: 'waiting_to_send' }
  | { kind: 'pay'; amountFen: number }
  | { kind: 'in_production' }
  | { kind: 'in_transit' }
  | { kind: 'collect_at_outlet' }
  | { kind: 'activate' }
  | { kind: 'resubmit_photo'; reason: string }
  | { kind: 'done' }
  | { kind: 'cancelled' };

/** One stage of the progress bar (制卡进度), labelled in the client's language. */
export interface ProgressStage {
  state: ApplicationState;
  label: string;
  at: number | null;
}

export interface Delegation {
  delegationId: string;
  kind: DelegationKind;
  agentAccountId: string;
  principalPersonId: string;
  principalNameMasked: string;
  scopes: Scope[];
  status: DelegationStatus;
  createdAt: number;
  consentedAt: number | null;
  expiresAt: number;
  revokedAt: number | null;
}

export interface AuditEntry {
  at: number;
  actorAccountId: string;
  principalPersonId: string;
  mandateId: string | null;
  action: string;
  objectId: string;
}

/** Something changed: re-read the snapshot. Events carry ids, never personal data. */
export type ClientEvent =
  | { kind: 'profile_changed' }
  | { kind: 'credentials_changed'; cardId: string }
  | { kind: 'card_suspended'; cardId: string }
  | { kind: 'catalogue_synced'; changed: boolean }
  | { kind: 'connectivity_changed'; online: boolean }
  | { kind: 'outbox_changed'; pending: number }
  | { kind: 'workflow_changed'; id: string }
  | { kind: 'account_notice'; notice: AccountNotice }
  /** The listener fell behind and `count` events were dropped: re-read everything. */
  | { kind: 'missed'; count: number };

// ---------------------------------------------------------------- classes

/** Everything the app holds about the person (PIPL right of access), as the core exports it. */
export interface PersonalDataExport {
  exportedAt: number;
  /** The enrolled account with the full identity (the person's own data, unmasked). */
  session: (Session & { identity: PersonIdentity }) | null;
  profile: Profile | null;
  drafts: { draftId: string; form: unknown; updatedAt: number }[];
  submissions: { action: string; state: string; createdAt: number; response: unknown }[];
  applications: Application[];
  mandates: Delegation[];
  credentials: { cardId: string; purposes: string[]; notAfter: number }[];
}

/** The client core. */
export declare class EcardClient {
  private constructor();
  /** Opens storage, the data key (unwrapped by `keyStore`), the session and the catalogue cache. No network I/O. */
  static open(config: ClientConfig, keyStore: KeyStore): Promise<EcardClient>;
  /** Lets go of the database and the key-store callbacks now; later calls throw `client_closed`. */
  close(): void;
  locale(): Locale;
  /** The platform's time as this device estimates it (Unix seconds). */
  trustedNow(): number;
  /**
   * The account holder's full document number, for the "show number" toggle
   * (小眼睛) tapped on purpose; hide it again after a few seconds and never log it.
   */
  revealIdNumber(): string;
  session(): Session | null;
  snapshot(): Snapshot;
  /** Calls `listener` with every event until the subscription is cancelled. */
  subscribe(listener: (event: ClientEvent) => void): Subscription;

  /** Enrolment, step 1: the document is checked locally, then named to the platform with the device key. */
  beginEnrolment(identity: PersonIdentity): Promise<EnrolmentProgress>;
  /** Enrolment, step 2: the face check; a code then goes to the phone on record. */
  confirmPresence(face: FaceCheck): Promise<EnrolmentProgress>;
  /**
   * Enrolment, step 3: the texted code (null after an enrolled device approved)
   * and, when `pinRequired`, the new six-digit e-card PIN.
   */
  completeEnrolment(oneTimeCode: string | null | undefined, pin?: string | null): Promise<Session>;
  /** A single-use grant for one act from the e-card PIN (the acts below take the PIN themselves). */
  pinGrant(pin: string, action: PinAction): Promise<string>;
  /** The devices where this e-card is signed in. */
  devices(): Promise<DeviceView[]>;
  /** Unlinks a device (解除关联) with the e-card PIN: its codes stop and it can no longer sign in. */
  unlinkDevice(deviceId: string, pin: string): Promise<DeviceUnlinked>;
  /** New devices that passed a face check and wait for this account's approval. */
  enrolmentRequests(): Promise<EnrolmentRequestView[]>;
  /** Approves a new device with the e-card PIN. */
  approveEnrolment(enrolmentId: string, pin: string): Promise<void>;
  /** Notices not seen yet; each also reaches the listeners as an `account_notice` event. */
  checkNotices(): Promise<AccountNotice[]>;
  changePin(currentPin: string, newPin: string): Promise<void>;
  /** A new PIN after a face check of the account holder (forgotten or locked PIN). */
  resetPin(face: FaceCheck, newPin: string): Promise<void>;
  /** Starts changing the phone on record: PIN, face check, then a code to the old phone. */
  changePhone(newPhone: string, face: FaceCheck, pin: string): Promise<PhoneChangeStarted>;
  confirmPhoneChange(changeId: string, oneTimeCode: string): Promise<void>;
  refreshProfile(): Promise<Profile>;
  cachedProfile(): Profile | null;
  refreshCredentials(cardId: string): Promise<void>;
  refreshAllCredentials(): Promise<void>;

  syncCatalogue(): Promise<SyncReport>;
  search(query: SearchQuery): SearchHit[];
  nearestOutlets(query: OutletQuery): OutletHit[];
  rules(): RegionalRules | null;

  /** The current code of a card (own card when `cardId` is null). */
  currentCode(cardId: string | null | undefined, purpose: Purpose): Promise<CodeView>;

  saveDraft(draftId: string | null | undefined, form: DraftForm): Promise<string>;
  drafts(): Draft[];
  deleteDraft(draftId: string): Promise<void>;
  submitApplication(form: NewCardForm, draftId?: string | null): Promise<Submission>;
  submitReplacement(form: ReplacementForm, draftId?: string | null): Promise<Submission>;
  pay(applicationId: string, amountFen: number): Promise<Submission>;
  cancelApplication(applicationId: string): Promise<Submission>;
  confirmReceipt(applicationId: string): Promise<Submission>;
  resubmitPhoto(applicationId: string, photoJpeg: Uint8Array): Promise<Submission>;
  activateCard(cardId: string): Promise<Submission>;
  reportLoss(cardId: string, kind: LossKind): Promise<Submission>;
  /** Releases a loss report online (解挂) with the e-card PIN. */
  releaseLoss(cardId: string, pin: string): Promise<Submission>;
  /** Asks for a mandate with the e-card PIN; a family proxy declares the relationship. */
  requestMandate(
    kind: DelegationKind,
    principal: PersonIdentity,
    evidence: Evidence | null | undefined,
    scopes: Scope[],
    expiresAt: number | null | undefined,
    relationship: Relationship | null | undefined,
    pin: string,
  ): Promise<Submission>;
  /** Consents, as the principal, with the e-card PIN. */
  consentMandate(delegationId: string, pin: string): Promise<Submission>;
  /** The relative's face, captured on this (the helper's) phone, consents to the mandate asked for (足不出户). */
  consentMandateByFace(delegationId: string, relative: PersonIdentity, face: FaceCheck): Promise<Delegation>;
  revokeMandate(delegationId: string): Promise<Submission>;
  applications(): Promise<ApplicationFlow[]>;
  application(applicationId: string): Promise<ApplicationFlow>;
  lossFlow(cardId: string): LossFlow;
  mandates(): Promise<Delegation[]>;
  auditTrail(): Promise<AuditEntry[]>;
  /** A copy of everything the app holds about the person (PIPL right of access). Local I/O only. */
  exportPersonalData(): PersonalDataExport;
  /** Erases the person's data; with the e-card PIN first deletes the account at the platform. Signs the client out. */
  deletePersonalData(platformPin?: string | null): Promise<void>;
  submittedApplicationId(submission: Submission): string | null;
  processOutbox(): Promise<number>;
  outbox(): OutboxEntry[];
  retrySubmission(outboxId: number): Promise<Submission>;
  /** Sends due submissions and revalidates a stale catalogue every `periodSeconds` (≥ 1). */
  startBackground(periodSeconds: number): BackgroundTask;
}

/** An application (申领 or 补换) as the UI shows it, with its actions. A snapshot: `refresh()` for the next one. */
export declare class ApplicationFlow {
  private constructor();
  readonly applicationId: string;
  readonly application: Application;
  readonly step: FlowStep;
  readonly actions: ApplicationAction[];
  readonly cannotCancelOnceSubmitted: boolean;
  readonly progress: ProgressStage[];
  refresh(): Promise<ApplicationFlow>;
  /** Pays the fees due. */
  pay(): Promise<Submission>;
  cancel(): Promise<Submission>;
  confirmReceipt(): Promise<Submission>;
  /** Enables the social-security function of the produced card. */
  activate(): Promise<Submission>;
  resubmitPhoto(photoJpeg: Uint8Array): Promise<Submission>;
}

/** A card's loss-report situation (挂失 / 解挂), with its actions. */
export declare class LossFlow {
  private constructor();
  readonly cardId: string;
  readonly card: Card;
  readonly canReportTemporary: boolean;
  readonly canReportFormal: boolean;
  readonly canReleaseOnline: boolean;
  readonly eCardWorksWhileTemporarilyLost: boolean;
  readonly lapsesAt: number | null;
  readonly replacementNeeded: boolean;
  reportTemporary(): Promise<Submission>;
  reportFormal(): Promise<Submission>;
  /** Releases the report online (解挂) with the e-card PIN. */
  release(pin: string): Promise<Submission>;
  refresh(): LossFlow;
}

/** A running event subscription. */
export declare class Subscription {
  private constructor();
  /** Stops delivering events (idempotent). */
  cancel(): void;
  /** Whether events are still delivered. */
  isActive(): boolean;
}

// ---------------------------------------------------------------- logging

/** Severity of a log line. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Routes the library's log lines, masked (ID, phone and card numbers;
 * secret fields dropped), to `logger` at `maxLevel` and above in severity
 * (hilog on HarmonyOS); `null` turns forwarding off.
 */
export declare function setLogger(
  logger: ((level: LogLevel, target: string, message: string) => void) | null,
  maxLevel: LogLevel,
): void;

/** Masks ID, phone and card numbers in `text`, as every forwarded log line is. */
export declare function maskPersonalData(text: string): string;

// ---------------------------------------------------------- presentation

/** What a purpose's code is called (乘车码, "Transport", …), from the core. */
export declare function purposeLabel(purpose: Purpose, locale: string): string;
/** What the application screen says about where a flow stands, from the core. */
export declare function stepLabel(step: FlowStep, locale: string): string;
/** Money in fen as yuan, e.g. 1000 → "¥10.00". */
export declare function formatFen(fen: number): string;
/** What the person can do about an error. */
export type ErrorAction = 'retry' | 'fix_field' | 'go_to_counter' | 'reopen' | 'none';
/** What to offer for an error of `category` with stable `code`. */
export declare function errorAction(category: ErrorCategory, code: string): ErrorAction;
/** The button caption of an action in `locale`, '' for `none`. */
export declare function errorActionLabel(action: ErrorAction, locale: string): string;
/** Seconds as `m:ss` (`0:45`) for a countdown. */
export declare function countdownText(seconds: number): string;

/** The countdown of the code screen: platform time, whatever the phone's clock says. */
export declare class CodeCountdown {
  /** A code (`issuedAt`, `expiresAt`, `secondsLeft`) that arrived when the phone's clock read `localNowSeconds`. */
  constructor(issuedAt: number, expiresAt: number, secondsLeft: number, localNowSeconds: number);
  /** Whole seconds left at the phone's time `localNowSeconds`. */
  secondsLeft(localNowSeconds: number): number;
  /** 1 when fresh, 0 when expired: for a progress ring. */
  fraction(localNowSeconds: number): number;
  /** Whether to fetch the next code now. */
  needsRefresh(localNowSeconds: number): boolean;
}

// ---------------------------------------------------- conformance hooks

/** Panics on purpose inside the guard: throws `internal` with code `panic` (tests). */
export declare function debugPanic(): void;
/** Panics on purpose on the library runtime: rejects with `internal`, code `panic` (tests). */
export declare function debugPanicAsync(): Promise<void>;
/** Throws the error a conformance scenario names, in `locale` (tests). */
export declare function debugError(name: string, locale: string): void;
/** What a listener that fell behind gets: `emitted` events on a channel holding `capacity` (tests). */
export declare function debugLaggedSubscription(
  listener: (event: ClientEvent) => void,
  emitted: number,
  capacity: number,
): Subscription;
/** Logs `message` at `level` through the library's log path (tests). */
export declare function debugLog(level: LogLevel, message: string): void;
/** The call a flow action stands for (tests of flow dispatch). */
export declare function debugPlanAction(
  stepAmountFen: number | null,
  feeFen: number,
  cardId: string | null,
  action: ApplicationAction,
): { name: ApplicationAction; amountFen: number | null; cardId: string | null };
/** The configuration `EcardClient.open` uses, every optional setting at the core's default. */
export declare function defaultConfig(dataDir: string, platformUrl: string): {
  dataDir: string;
  platformUrl: string;
  locale: Locale;
  deviceName: string;
  defaultRegion: string;
  deviceSuite: 'p256' | 'ed25519';
  requestTimeoutSeconds: number;
  storageLimitBytes: number | null;
  keyStoreTimeoutSeconds: number;
};
/** Library objects alive and async calls running, process-wide (tests). */
export declare function liveObjects(): {
  clients: number;
  subscriptions: number;
  backgroundTasks: number;
  callsInFlight: number;
};

/** Background work; it also stops when garbage-collected, so keep a reference. */
export declare class BackgroundTask {
  private constructor();
  /** Stops the work (idempotent). */
  stop(): void;
}
