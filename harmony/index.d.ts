/**
 * Declarations of the native module `libecard_harmony.so` (HarmonyOS) /
 * `ecard.node` (Node): the Node-API binding of the ecard core
 * (`bindings/harmony`, crate `ecard-harmony`).
 *
 * The view types (what the core hands to JavaScript, and its enum values)
 * are generated from the Rust types between the two `// ----` marker lines
 * (bindings/harmony/src/declarations.rs; `cargo test -p ecard-harmony`
 * fails when they drift). The rest is written by hand:
 * `harmony/test/surface.test.mjs` checks that every class, static and
 * instance member declared here is exported by the library and that the
 * library exports nothing undeclared.
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

// ---------------------------------------------------------------- inputs (read by the binding's own conversions)

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
  /**
   * Suite of the device key: `p256` (the core's default, which every
   * platform store supports), `sm2` (国密; HUKS makes it, and the ArkTS
   * wrapper's `openEcard` defaults to it) or `ed25519`. A key store that
   * cannot make the suite refuses it with `unsupported_suite`.
   */
  deviceSuite?: Suite;
  /** How long one key-store call may take, fingerprint prompt included (default 120). */
  keyStoreTimeoutSeconds?: number;
  /**
   * The cipher that seals personal data at rest (default `aes-256-gcm`;
   * `sm4-gcm` where the deployment must use the national ciphers). Chosen
   * once per deployment and recorded in the database at its first open: a
   * database sealed with the other cipher is refused with the error
   * `field_cipher_mismatch`, never re-encrypted.
   */
  fieldCipher?: FieldCipher;
}

/** The ciphers personal data at rest can be sealed with. */
export type FieldCipher = 'aes-256-gcm' | 'sm4-gcm';

/** An answer that may come at once or later. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The device key store, implemented by the app (HUKS on HarmonyOS). The
 * private keys never leave it. Each method may answer directly or with a
 * Promise; the core waits off the UI thread. Throw (or reject) an `Error`
 * whose `code` is `not_found`, `user_cancelled` or `unsupported_suite` (a
 * suite the store cannot make keys of: the app then sees `not_allowed` with
 * code `unsupported_suite`)
 * for those cases; any other error is a key-store failure.
 */
export interface KeyStore {
  /** Makes (replacing) a signing key of `suite`; answers its public key (raw, SEC1 or SubjectPublicKeyInfo DER). */
  generateKey(alias: string, suite: Suite): MaybePromise<Uint8Array>;
  /**
   * The public key of a signing key, or null/undefined when there is none.
   * Read as the configured `deviceSuite`, never guessed from its length (a
   * 65-byte point may be P-256 or SM2).
   */
  publicKey(alias: string): MaybePromise<Uint8Array | null | undefined>;
  /**
   * Signs `message` (ECDSA P-256 with SHA-256: DER or r‖s; SM2 with SM3 and
   * the GM/T 0009 identifier `1234567812345678`: DER or r‖s; Ed25519: 64 bytes).
   */
  sign(alias: string, message: Uint8Array): MaybePromise<Uint8Array>;
  /** Deletes a signing key; a missing key is not an error. */
  deleteKey(alias: string): MaybePromise<void>;
  /** Seals `secret` under the wrapping key `alias` (AES-GCM; made on first use). */
  wrap(alias: string, secret: Uint8Array): MaybePromise<Uint8Array>;
  /** Opens what `wrap` sealed. */
  unwrap(alias: string, wrapped: Uint8Array): MaybePromise<Uint8Array>;
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
  /** Made on the spot at the pickup outlet (即时制卡), where it offers it. */
  instantIssue?: boolean | null;
}

/** The one form of 出生一件事 (the photo goes apart, as bytes). */
export interface BirthForm {
  /** 出生医学证明 number. */
  birthCertificate: string;
  childName: string;
  sex: Sex;
  /** YYYY-MM-DD, as on the certificate. */
  birthDate: string;
  otherParent?: PersonIdentity | null;
  /** 户籍登记地: the county-level division code. */
  householdRegion: string;
  householdAddress: string;
  bank: string;
  phone: string;
  delivery: Delivery;
}

/** A step of a birth's progress line, labelled. */
export interface BirthStage {
  step: BirthStep;
  label: string;
  at: number | null;
}

/** A birth as the app shows it: the record and one progress line. */
export interface BirthFlow {
  birth: Birth;
  stages: BirthStage[];
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
  /** Made on the spot at the pickup outlet (即时制卡). */
  instantIssue?: boolean | null;
}

/** A form in progress. */
export interface DraftForm {
  kind: 'new_card' | 'replacement';
  newCard?: NewCardForm | null;
  replacement?: ReplacementForm | null;
}

export interface Draft {
  draftId: string;
  form: DraftForm;
  updatedAt: number;
}

// ---- generated from the Rust types: do not edit (see bindings/harmony/src/declarations.rs)

/** A language for messages shown to people. */
export type Locale = "zh-CN" | "en";

/** A signature algorithm with its key encoding. */
export type Suite = "ed25519" | "p256" | "sm2";

/** What a code is shown for. Each purpose discloses only what its terminals need. */
export type Purpose = "transport" | "medical" | "identity" | "culture_tourism" | "campus_entry" | "library" | "education_exam" | "personnel_exam";

/**
 * Whose phone shows the code: the cardholder's own, or that of someone acting
 * for them under a mandate recorded at the platform.
 */
export type HolderRole = "holder" | "proxy" | "guardian";

/** Lifecycle of a physical card. */
export type CardStatus = "active" | "temporarily_lost" | "formally_lost" | "replaced" | "cancelled";

/** Whether the e-card may show codes. */
export type ECardState = "active" | "suspended";

/** Kinds of loss report. */
export type LossKind = "temporary" | "formal";

/** Kinds of replacement (补换). */
export type ReplacementKind = "plain" | "change_bank" | "keep_number";

/** Stages of an application (制卡进度). */
export type ApplicationState = "submitted" | "paid" | "in_production" | "dispatched" | "at_outlet" | "received" | "activated" | "production_failed" | "cancelled";

/** What the resident can do next on an application. */
export type ApplicationAction = "pay" | "cancel" | "confirm_receipt" | "activate" | "resubmit_photo";

/** What an application is for. */
export type ApplicationKind = "new_card" | { "replacement": ReplacementKind };

/** Kinds of mandate. */
export type DelegationKind = "guardian" | "family_proxy";

/** Lifecycle of a mandate. */
export type DelegationStatus = "pending_consent" | "active" | "revoked" | "expired";

/** What a mandate allows. */
export type Scope = "apply" | "replace" | "report_loss" | "activate" | "show_code" | "track" | "login" | "eligibility" | "records";

/** How a family proxy is related to the person they act for. */
export type Relationship = "spouse" | "child" | "parent" | "grandchild" | "sibling" | "other_relative";

/** The four groups of the one-card programme. */
export type Cluster = "handle" | "travel" | "pay" | "use";

/** The thirteen application domains of the programme. */
export type Domain = "government_services" | "human_resources_social_security" | "medical_health" | "transport" | "tourism" | "culture" | "education" | "fund_disbursement" | "finance_payment" | "smart_living" | "rural_revitalization" | "national_defence" | "credit_services";

/** How the card is used for an item. */
export type UsageMode = "identity_proof" | "fee_payment" | "benefit_receipt" | "medical_settlement" | "information_record" | "self_service_enquiry" | "financial_payment";

/** Which form of the card serves an item. */
export type CardForm = "physical_card" | "e_card_code" | "licence_display" | "face";

/** Where an item is handled. */
export type Channel = "counter" | "self_service_terminal" | "online" | "mobile_app" | "scanner";

/** What kind of outlet. */
export type OutletKind = "human_resources_office" | "bank_branch" | "community_service_point";

/** A service an outlet offers. */
export type OutletService = "apply" | "instant_issue" | "replace" | "report_loss" | "release_loss" | "activate_social_function" | "activate_bank_function" | "pin_reset" | "card_pickup";

/** What the app does for a catalogue item (the screen a search hit opens). */
export type AppAction = "apply_for_card" | "apply_for_newborn_card" | "apply_for_electronic_card" | "replace_card" | "change_bank" | "report_loss" | "release_loss" | "activate_social_function" | "change_pin" | "track_production" | "show_code" | "act_for_family" | "find_outlet";

/** How a hit matched. */
export type MatchKind = "characters" | "pinyin" | "meaning" | "details" | "filter";

/** Where a submission stands. */
export type OutboxState = "pending" | "done" | "failed";

/**
 * Acts that need the e-card PIN. The PIN is checked once, online, and
 * buys a grant for one act: acts that travel through the phone's outbox
 * carry the grant, so the PIN itself is never stored on the phone.
 */
export type PinAction = "unlink_device" | "approve_device" | "delete_account" | "release_loss" | "accept_mandate" | "consent_mandate" | "change_phone" | "act_for_ward" | "approve_login";

/** Why a face check is run. */
export type FacePurpose = "enrolment" | "mandate_consent" | "pin_reset" | "phone_change" | "eligibility_check";

/** What happened to the account that its devices are told about. */
export type NoticeKind = "enrolment_requested" | "device_enrolled" | "device_unlinked" | "pin_changed" | "pin_locked" | "phone_changed";

/**
 * What kind of organisation a service point is. It bounds the purposes
 * the admin may let it resolve ([`ServicePointKind::may_resolve`]).
 */
export type ServicePointKind = "hospital" | "pharmacy" | "government_counter" | "hotel" | "bank" | "school" | "library" | "transit" | "venue";

/** One field a resolution can disclose. */
export type DisclosedField = "pseudonym" | "name" | "card_number" | "insurance_region" | "card_state" | "document_number" | "concession";

/** Why a resident reports an access record. */
export type AccessReportReason = "not_me" | "unexpected";

/**
 * What kind of relying party asks: the app says so before the resident
 * approves.
 */
export type RelyingPartyKind = "website" | "counter_pc" | "self_service";

/** A claim scope a relying party may ask for (OpenID Connect `scope`). */
export type ClaimScope = "openid" | "profile" | "id_number" | "social_security";

/** Where a login request stands. */
export type LoginRequestStatus = "pending" | "approved" | "denied" | "expired" | "completed";

/** One of the four social insurances a worker contributes to. */
export type Insurance = "pension" | "medical" | "unemployment" | "work_injury";

/** How a month's contribution was paid. */
export type Scheme = "employee" | "flexible_employment" | "resident";

/** Where a participation stands today. */
export type ParticipationStatus = "contributing" | "suspended" | "retired";

/** What a certificate certifies. */
export type CertificateKind = "participation" | "contribution_record";

/** Who asked for a certificate. */
export type RequestedBy = "holder" | "proxy";

/** What a check found. */
export type CertificateState = "valid" | "expired" | "unknown";

/** Where the person stands in the current cycle. */
export type EligibilityState = "not_required" | "certified" | "due" | "overdue" | "suspended";

/** How a certification was made. */
export type CertificationMethod = "face" | "passive";

/** The state of the card's bank function. */
export type BankFunctionState = "active" | "loss_reported" | "closed";

/** Where a payment comes from. */
export type PaymentSource = "pension" | "subsidy" | "wages";

/** A document that identifies a person to the population register. */
export type PersonIdentity = {
  /** Document type, as `ecard-documents` names it (`resident_id`, …). */
  idType: string,
  /** Document number. */
  idNumber: string,
  /** Full name as registered. */
  name: string,
};

/** Evidence of a guardian relationship. */
export type Evidence = {
  /** `household_register` (户口簿) or `birth_certificate` (出生医学证明). */
  kind: string,
  /** The document number. */
  number: string,
};

/** How a produced card reaches the holder. */
export type Delivery = { "method": "mail",
  /** Mailing address. */
  address: string,
  /** Recipient's phone. */
  phone: string,
} | { "method": "pickup",
  /** The outlet. */
  outletId: string,
};

/** The signed-in account as the apps see it (identity masked). */
export type Session = {
  /** The account. */
  accountId: string,
  /** The account holder. */
  personId: string,
  /** This device. */
  deviceId: string,
  /** The holder's name, masked (`刘**`). */
  nameMasked: string,
  /** The holder's document number, masked. */
  idNumberMasked: string,
};

/** What the app's face check must capture and bind its result to. */
export type FaceCheckRequest = {
  /** Why the check runs. */
  purpose: FacePurpose,
  /** Whose face: their document type … */
  idType: string,
  /**
   * … and number, for the face platform's comparison with the photo on
   * record (never shown or logged by the core).
   */
  idNumber: string,
  /** Their name, masked, for the capture screen ("请张*本人正对屏幕"). */
  nameMasked: string,
  /** The platform's single-use challenge. */
  challenge: string,
  /** The binding of this device's key. */
  deviceBinding: string,
};

/** Where an enrolment stands, for the UI's next step. */
export type EnrolmentProgress = {
  /** The enrolment. */
  enrolmentId: string,
  /** After the face check: the masked phone the code went to. */
  codeSentTo: string | null,
  /** After the face check: whether an enrolled device can approve instead. */
  approvalPossible: boolean,
  /** After the face check: whether finishing sets the e-card PIN. */
  pinRequired: boolean,
  /** Until when the enrolment may be finished. */
  expiresAt: number,
};

/** An enrolled device in the account's list. */
export type DeviceView = {
  /** The device. */
  deviceId: string,
  /** Its name. */
  name: string,
  /** Its key suite. */
  suite: Suite,
  /** When it was enrolled. */
  enrolledAt: number,
  /** When it last made a signed request. */
  lastSeenAt: number | null,
  /** Whether this is the device asking. */
  current: boolean,
};

/** The answer to unlinking a device. */
export type DeviceUnlinked = {
  /** The device. */
  deviceId: string,
  /** When. */
  unlinkedAt: number,
  /** Credentials revoked in the status list. */
  credentialsRevoked: number,
};

/** A device asking to join the account, as an enrolled device sees it. */
export type EnrolmentRequestView = {
  /** The enrolment. */
  enrolmentId: string,
  /** The new device's name. */
  deviceName: string,
  /** Its key suite. */
  deviceSuite: Suite,
  /** When the face check passed. */
  requestedAt: number,
  /** Until when it may be approved. */
  expiresAt: number,
};

/** The answer to starting a phone change. */
export type PhoneChangeStarted = {
  /** The change. */
  changeId: string,
  /** The old phone the one-time code went to, masked. */
  codeSentTo: string,
  /** Until when the code works. */
  expiresAt: number,
};

/** One account notice. */
export type AccountNotice = {
  /** Increasing id; ask for those after the last one seen. */
  noticeId: number,
  /** What happened. */
  kind: NoticeKind,
  /** The device concerned, by name, if any. */
  deviceName?: string | null,
  /** When. */
  at: number,
};

/** A card as the UI shows it. */
export type CardView = {
  /** The card. */
  cardId: string,
  /** Its holder. */
  personId: string,
  /** The holder's name, masked. */
  holderNameMasked: string,
  /** Whether the holder is the account holder, or a person acted for. */
  role: HolderRole,
  /** Lifecycle state at the platform (last known). */
  status: CardStatus,
  /** Whether the platform allows codes. */
  eCard: ECardState,
  /** The card number, masked. */
  cardNumberMasked: string,
  /**
   * Co-branded bank; `None` for a person acted for when the mandate's
   * scopes do not disclose it.
   */
  bank: string | null,
  /** Whether this device has stopped codes for it. */
  suspendedHere: boolean,
  /** When the stored credential expires, if there is one. */
  credentialNotAfter: number | null,
};

/** What the cache holds and how fresh it is. */
export type CatalogueState = {
  /** Catalogue version held. */
  itemsVersion: number,
  /** Outlet-list version held. */
  outletsVersion: number,
  /** Items held. */
  itemCount: number,
  /** Outlets held. */
  outletCount: number,
  /** When the platform last confirmed the cache (Unix seconds), if ever. */
  asOf: number | null,
};

/** Rows saved from one table of a damaged database. */
export type RecoveredTable = {
  /** The table. */
  table: string,
  /** Rows saved. */
  rows: number,
};

/** What recovery from a corrupt database saved and lost. */
export type RecoveryReport = {
  /** Where the damaged file was moved. */
  damagedCopy: string,
  /** Rows saved, per table. */
  saved: Array<RecoveredTable>,
  /** Tables that could not be read at all (their rows are lost). */
  lost: Array<string>,
};

/** What the UI needs to render, read without I/O. */
export type Snapshot = {
  /** Whether an account is enrolled here. */
  enrolled: boolean,
  /** The account holder's name, masked. */
  nameMasked: string | null,
  /** The account holder's document number, masked. */
  idNumberMasked: string | null,
  /** Cards: the account holder's and those of people acted for. */
  cards: Array<CardView>,
  /** The catalogue cache. */
  catalogue: CatalogueState,
  /** Whether the last platform call got through. */
  online: boolean,
  /** Difference between the platform clock and this device's, seconds. */
  clockOffsetSeconds: number,
  /** Submissions waiting to be confirmed by the platform. */
  outboxPending: number,
  /** Submissions that need the person's attention (refused by the platform). */
  outboxFailed: number,
  /** What the last recovery from a damaged database saved and lost. */
  recovery: RecoveryReport | null,
};

/** A code ready to show. */
export type CodeView = {
  /** The card. */
  cardId: string,
  /** What the code is for. */
  purpose: Purpose,
  /** The QR content (`EC1:…`). */
  text: string,
  /** QR version at ECC M. */
  qrVersion: number,
  /** When it was made (trusted clock). */
  issuedAt: number,
  /** When terminals stop accepting it. */
  expiresAt: number,
  /** Whether it is shown for someone else (proxy or guardian). */
  onBehalf: HolderRole,
  /** The device counter it carries. */
  counter: number,
  /** When the credential behind it expires. */
  credentialNotAfter: number,
  /**
   * Seconds it had left when it was made (trusted clock); count down from
   * here with [`crate::presentation::CodeCountdown`].
   */
  secondsLeft: number,
};

/** What one sync did. */
export type SyncReport = {
  /** Whether the platform answered 304 (nothing to do). */
  unchanged: boolean,
  /** Items added or changed. */
  itemsChanged: number,
  /** Items removed. */
  itemsRemoved: number,
  /** Outlets added or changed. */
  outletsChanged: number,
  /** Outlets removed. */
  outletsRemoved: number,
  /** Whether the rules document changed. */
  rulesChanged: boolean,
};

/** One item of a one-card application catalogue. */
export type CatalogueItem = {
  /** Stable id, e.g. `N-017` (national list) or `P360000-102` (provincial). */
  id: string,
  /** The list: `national` or a province code such as `360000`. */
  list: string,
  /** Full name in Chinese. */
  name: string,
  /** Short label for elder mode (at most six characters). */
  shortLabel: string,
  /** One or two sentences on what the item is. */
  description: string,
  /** Programme group. */
  cluster: Cluster,
  /** Domain. */
  domain: Domain,
  /** How the card is used. */
  usageModes: Array<UsageMode>,
  /** Which card forms serve it. */
  cardForms: Array<CardForm>,
  /** Where it is handled. */
  channels: Array<Channel>,
  /**
   * Administrative division codes where it is available (`100000` =
   * nationwide, a province or a city code).
   */
  regions: Array<string>,
  /** Lead department. */
  department: string,
  /** Change counter: the catalogue version at which this item last changed. */
  version: number,
  /**
   * How commonly residents use the item, from 0 (rarely) to 100 (the
   * most used): orders equally good search matches.
   */
  popularity: number,
  /**
   * What the app itself does for this item, if anything: such items
   * rank above information-only ones when both match a search.
   */
  appAction?: AppAction | null,
  /**
   * For a provincial item, the national item it provides in that
   * province (its twin): search shows one of the two.
   */
  nationalItem?: string | null,
};

/** A search result. */
export type SearchHit = {
  /** The item (a copy: hits cross to the apps as plain values). */
  item: CatalogueItem,
  /** Higher is better. */
  score: number,
  /** How it matched. */
  matched: MatchKind,
  /**
   * Ids of the same service's other items folded into this hit (the
   * national twin of a provincial item), each reachable by id.
   */
  twins: Array<string>,
};

/** Opening hours on some days of the week. */
export type OpeningPeriod = {
  /** ISO weekdays (1 = Monday … 7 = Sunday). */
  weekdays: Array<number>,
  /** Opening time, minutes after midnight (local time, UTC+8). */
  opens: number,
  /** Closing time, minutes after midnight. */
  closes: number,
};

/** A service outlet. */
export type Outlet = {
  /** Stable id. */
  id: string,
  /** Name. */
  name: string,
  /** Kind. */
  kind: OutletKind,
  /** Bank code for bank branches. */
  bank?: string | null,
  /** County-level division code. */
  region: string,
  /** City name. */
  city: string,
  /** Street address. */
  address: string,
  /** WGS-84 latitude. */
  latitude: number,
  /** WGS-84 longitude. */
  longitude: number,
  /** Telephone. */
  phone: string,
  /** Opening hours. */
  hours: Array<OpeningPeriod>,
  /** Services offered. */
  services: Array<OutletService>,
  /** Change counter. */
  version: number,
};

/** A nearby outlet. */
export type OutletHit = {
  /** The outlet (a copy: hits cross to the apps as plain values). */
  outlet: Outlet,
  /** Great-circle distance in metres. */
  distanceMetres: number,
  /** Whether it is open at the time asked. */
  openNow: boolean,
};

/** Where the resident is, for [`EcardClient::search_help`]. */
export type Location = {
  /** WGS-84 latitude, degrees. */
  latitude: number,
  /** WGS-84 longitude, degrees. */
  longitude: number,
};

/** Where to turn when a search matched nothing: never an empty screen. */
export type SearchHelp = {
  /**
   * The items closest to the query (sharing some of its words or
   * characters), or the most used items the app handles.
   */
  closest: Array<SearchHit>,
  /**
   * The nearest outlets that handle the closest item's business (any
   * human resources office when that says nothing), when a location
   * was given.
   */
  outlets: Array<OutletHit>,
  /** The hotline to call ([`HOTLINE`]). */
  hotline: string,
};

/** A co-branded bank (联名银行). */
export type Bank = {
  /** Short code, e.g. `icbc`. */
  code: string,
  /** Name in Chinese. */
  name: string,
  /**
   * The bank's customer-service hotline, where the card's bank function
   * (a financial loss report, 金融功能挂失) is completed; absent in
   * documents stored before it was data.
   */
  hotline: string | null,
};

/** Photo requirements for card production. */
export type PhotoRules = {
  /** Smallest accepted width in pixels. */
  minWidth: number,
  /** Smallest accepted height in pixels. */
  minHeight: number,
  /** Largest accepted width in pixels. */
  maxWidth: number,
  /** Largest accepted height in pixels. */
  maxHeight: number,
  /** Smallest accepted file size in bytes. */
  minBytes: number,
  /** Largest accepted file size in bytes. */
  maxBytes: number,
};

/** The rules of one region. */
export type RegionalRules = {
  /** Province-level division code, e.g. `360000`. */
  region: string,
  /** Region name. */
  name: string,
  /** Increases whenever the document changes. */
  version: number,
  /** Days after which a temporary loss report (临时挂失) lapses by itself. */
  temporaryLossLapseDays: number,
  /** Whether a temporary loss report may be released (解挂) online. */
  releaseOnline: boolean,
  /** Whether a formal loss report (正式挂失) can be reversed. */
  formalLossReversible: boolean,
  /**
   * When the e-card works: during production, a temporary loss report
   * and a replacement.
   */
  eCardTiming: ECardTiming,
  /** Whether an application may be cancelled after submission (before production). */
  cancelAfterSubmit: boolean,
  /** Fee of a replacement card, in fen. */
  replacementFeeFen: number,
  /** Postage for mailing a card, in fen. */
  postageFen: number,
  /** Photo requirements. */
  photo: PhotoRules,
  /** How many relatives one account may act for (亲情服务). */
  relativeQuota: number,
  /** Device credential lifetime in hours (24–72). */
  credentialLifetimeHours: number,
  /** Age below which a person applies only through a guardian. */
  adultAge: number,
  /** Co-branded banks. */
  banks: Array<Bank>,
  /** Days from payment to a produced card. */
  productionDays: number,
  /** Days from dispatch to delivery. */
  deliveryDays: number,
  /** The e-card PIN and enrolled devices. */
  accountSecurity: AccountSecurity,
  /**
   * Which purposes accept a code shown on someone else's behalf: a family
   * proxy's (亲情代办) and a guardian's.
   */
  onBehalf: OnBehalfRules,
  /**
   * The oldest status list (by its issue time) the region's terminals
   * rest a verdict on; older, a code is refused as of unknown status.
   */
  statusListMaxAgeHours: number,
  /** What a holder under `adult_age` does only through a guardian. */
  minors: MinorRules,
  /** 出生一件事: a newborn's birth registration and card in one form. */
  newborn: NewbornRules,
  /** On-the-spot issue at outlets (即时制卡, 立等可取). */
  instantIssue: InstantIssueRules,
  /**
   * Concessions (优待): who is in which class and what each class gets
   * where. The issuer reads them to choose the class a code carries.
   */
  concessions: ConcessionRules,
  /**
   * Pension eligibility (待遇资格认证): who must certify, how often, the
   * grace before payments are suspended, reminders and the passive
   * certification by a recent use of the card (无感认证).
   */
  eligibility: EligibilityRules,
};

/**
 * When the e-card (电子社保卡) works while the physical card is not in
 * normal use. Each period names the e-card state the region gives it; a
 * card in two periods at once (reported lost while still in production)
 * has a working e-card only if both allow it.
 */
export type ECardTiming = {
  /**
   * From the start of production of a first card (制卡中) until the
   * holder receives it. `active`: the e-card is made with the card and
   * works at once (Jiangxi: 同步生成…直接使用); `suspended`: it starts
   * when the card is received.
   */
  duringProduction: ECardState,
  /**
   * While a temporary loss report (临时挂失) is open. A formal report
   * (正式挂失) always suspends the e-card.
   */
  duringTemporaryLoss: ECardState,
  /**
   * From the start of production of a replacement (补换: the old card is
   * retired then) until the holder receives the new card: whether the new
   * card's e-card works meanwhile.
   */
  duringReplacement: ECardState,
};

/** How the e-card PIN (电子社保卡密码) and enrolled devices are limited. */
export type AccountSecurity = {
  /** Wrong PINs in a row that lock it. */
  pinTries: number,
  /** Minutes a locked PIN stays locked (a face check resets it sooner). */
  pinLockMinutes: number,
  /**
   * Devices that may be enrolled at once; enrolling one more unlinks the
   * one seen least recently.
   */
  maxActiveDevices: number,
};

/**
 * Who may show a code for whom, per purpose: the region's terminals accept
 * a family proxy's code (亲情代办, an adult helping a relative) only at
 * `proxy` purposes and a guardian's code for a minor only at `guardian`
 * purposes. A terminal configured from the rules applies them
 * ([`OnBehalfRules::policy`]).
 */
export type OnBehalfRules = {
  /** Purposes at which a family proxy's code is accepted. */
  proxy: Array<Purpose>,
  /** Purposes at which a guardian's code for a minor is accepted. */
  guardian: Array<Purpose>,
  /**
   * Where the setting comes from and why (a regulation, a notice, an
   * operator's decision), for operators and auditors.
   */
  source: string,
};

/**
 * What a holder under the age of majority may not do alone. Jiangxi's
 * notice: 未满18周岁的公民需法定监护人持有效身份证件、户口簿…代办 for the
 * application, activation, loss reports, release, replacement and the
 * PIN. The guardian acts under a guardian mandate; the minor's own
 * account is refused these acts with `guardian_required`.
 */
export type MinorRules = {
  /**
   * The acts a minor's own account is refused. `show_code` is the e-card
   * itself: a minor's own phone shows codes only where a guardian allowed
   * it (`e_card_on_own_phone_with_consent`).
   */
  throughGuardian: Array<Scope>,
  /**
   * Whether changing or resetting a minor's e-card PIN goes through the
   * guardian (who sets it from their own phone).
   */
  pinThroughGuardian: boolean,
  /**
   * The age from which a minor the population register records as living
   * on their own labour income acts alone (民法典第十八条: 十六周岁以上的
   * 未成年人，以自己的劳动收入为主要生活来源的，视为完全民事行为能力人);
   * `None`: no such exception in the region.
   */
  selfSupportingFromAge: number | null,
  /**
   * Whether a guardian may allow the e-card on the minor's own phone
   * (a student's campus card, for instance).
   */
  eCardOnOwnPhoneWithConsent: boolean,
  /** Where the rule comes from. */
  source: string,
};

/**
 * 出生一件事 (the newborn's birth matters in one go): the guardian files
 * one form with the birth registration facts and the card application;
 * the household-registration step assigns the ID number, then the card is
 * made.
 */
export type NewbornRules = {
  /** Whether the region takes the one form online. */
  oneSubmission: boolean,
  /** Days the household-registration step (户口登记) takes. */
  registrationDays: number,
  /**
   * Children younger than this many years apply without a photo
   * (`0`: a photo is always needed).
   */
  photoExemptUnderAge: number,
  /** Where the rule comes from. */
  source: string,
};

/**
 * On-the-spot issue (即时制卡): at outlets that offer it, the card is made
 * while the applicant waits and works at once.
 */
export type InstantIssueRules = {
  /** Whether the region's outlets with the service may issue on the spot. */
  offered: boolean,
  /**
   * Days an instant-issue application waits for the applicant at the
   * outlet before it is cancelled.
   */
  holdDays: number,
  /** Where the rule comes from. */
  source: string,
};

/**
 * The fare or admission class a terminal applies. Terminals map classes to
 * their own tariffs; the card platform decides who is in which class.
 */
export type ConcessionClass = "standard" | "senior" | "senior_free" | "student" | "disability" | "entitled" | "child";

/**
 * Documents that put a holder in a concession class, as shared with the
 * card platform by the authority that issues them.
 */
export type ConcessionDocument = "disability_certificate" | "preferential_treatment_certificate";

/** Where a concession applies. */
export type ConcessionScene = "transport" | "tourism" | "culture";

/** A kind of concession. */
export type BenefitKind = "free" | "reduced" | "no_deposit";

/** What a class gets in one scene. */
export type ConcessionBenefit = {
  /** The scene. */
  scene: ConcessionScene,
  /** `free`, `reduced` or `no_deposit` (免押金). */
  benefit: BenefitKind,
  /** The places it holds at, as the source names them. */
  places: string,
};

/** Who is in a concession class. */
export type ConcessionBasis = { "kind": "age",
  /** The first age in the class. */
  from: number | null,
  /** The first age no longer in it. */
  below: number | null,
} | { "kind": "document",
  /** Which document. */
  document: ConcessionDocument,
} | { "kind": "school_enrolment" };

/** One concession class of a region. */
export type ConcessionRule = {
  /** The class a code carries. */
  class: ConcessionClass,
  /** Who is in the class. */
  basis: ConcessionBasis,
  /** What the class gets, per scene. */
  benefits: Array<ConcessionBenefit>,
  /**
   * Where the rule comes from: a quote from a public document, or
   * `sample data` with what it stands in for.
   */
  source: string,
};

/**
 * Concessions (优待) as data. A code carries one concession class; the
 * first class in `classes` whose basis the holder meets is the one
 * issued, so the order is the region's priority (free admission before a
 * reduced fare). Terminals map the class to their tariff; `benefits` say
 * what the class gets in each scene, for the app and for configuring
 * terminals.
 */
export type ConcessionRules = {
  /** The classes in priority order. */
  classes: Array<ConcessionRule>,
};

/**
 * A use of the card that certifies passively (无感认证): a resolution of
 * the person's code at one of `operator_kinds` within `within_days` when
 * the certification comes due.
 */
export type PassiveCertification = {
  /** How old the use may be, in days. */
  withinDays: number,
  /** The kinds of service point whose resolutions count. */
  operatorKinds: Array<ServicePointKind>,
};

/**
 * Pension eligibility (待遇资格认证) as data. A person the register puts
 * at or over the retirement age draws a pension and certifies once per
 * cycle that they are alive and entitled; missed, payments are suspended
 * (暂停发放) until a certification, and the months missed are paid after
 * it (补发).
 */
export type EligibilityRules = {
  /** Months from a certification to the next one's due date. */
  cycleMonths: number,
  /** Days after the due date before payments are suspended. */
  graceDays: number,
  /**
   * Days before the due date on which the person (and whoever helps
   * them) is reminded, largest first; the largest also opens the period
   * in which the certification is due.
   */
  reminderDaysBefore: Array<number>,
  /** The age from which a man in the register draws a pension. */
  retirementAgeMen: number,
  /** The age from which a woman in the register draws a pension. */
  retirementAgeWomen: number,
  /** The day of the month on which pensions are paid into the card. */
  pensionPayDay: number,
  /**
   * 无感认证: a verified use of the card that certifies without any act
   * of the person; `None`: only a face check certifies.
   */
  passive: PassiveCertification | null,
  /** Where the rule comes from. */
  source: string,
};

/**
 * Sex as a birth certificate records it (the ID number's sequence is odd
 * for male, even for female).
 */
export type Sex = "male" | "female";

/** Where a birth registration stands. */
export type BirthState = "registering" | "registered";

/** One step of the newborn's single progress line. */
export type BirthStep = "submitted" | "household_registered" | "card_in_production" | "card_on_its_way" | "card_received";

/** A step of the progress line and when it was reached (`None`: ahead). */
export type BirthProgress = {
  /** The step. */
  step: BirthStep,
  /** When it was reached. */
  at: number | null,
};

/** A birth registration (出生一件事) as its submitter sees it. */
export type Birth = {
  /** Id. */
  birthId: string,
  /** State. */
  state: BirthState,
  /** The child's name, masked. */
  childNameMasked: string,
  /** The birth date, `YYYY-MM-DD`. */
  birthDate: string,
  /** When the form was received. */
  createdAt: number,
  /** When the household registration assigned the ID number. */
  registeredAt: number | null,
  /** The child, once registered. */
  personId: string | null,
  /** The submitter's guardian mandate for the child, once registered. */
  mandateId: string | null,
  /** The card application, once filed. */
  applicationId: string | null,
  /** Every step, reached or ahead, in order. */
  progress: Array<BirthProgress>,
};

/** A loss report on a card. */
export type LossReport = {
  /** Id. */
  id: string,
  /** Kind. */
  kind: LossKind,
  /** When it was reported. */
  reportedAt: number,
  /** When a temporary report lapses by itself. */
  lapsesAt: number | null,
  /** When it ended (released, lapsed or superseded). */
  endedAt: number | null,
};

/**
 * A card as its holder and their mandated helpers see it.
 *
 * The holder sees every field. Someone acting under a mandate sees what
 * its scopes need (`docs/security.md`, scoped views): the fields marked
 * "withheld" below are absent when the scopes do not cover them.
 */
export type Card = {
  /** Id. */
  cardId: string,
  /** The holder. */
  personId: string,
  /** The card number, masked (`A1*****78`). */
  cardNumberMasked: string,
  /** Co-branded bank code; withheld unless `replace` or `track`. */
  bank?: string | null,
  /** Province code of the issuing region; withheld unless `replace` or `track`. */
  region?: string | null,
  /** Lifecycle state. */
  status: CardStatus,
  /** Whether codes may be shown. */
  eCard: ECardState,
  /** Whether the social-security function is enabled (社保功能启用). */
  socialFunctionEnabled: boolean,
  /**
   * The open loss report, if any; withheld (null) unless `report_loss`
   * or `track` (the status still says whether the card is reported lost).
   */
  lossReport: LossReport | null,
  /** When the card record was made; withheld unless `replace` or `track`. */
  issuedAt?: number | null,
};

/** A person the caller may see: themself or someone they act for. */
export type PersonSummary = {
  /** Id in the register. */
  personId: string,
  /** Name with all but the first character masked. */
  nameMasked: string,
  /** Document number masked; withheld from a proxy unless `apply`. */
  idNumberMasked?: string | null,
  /**
   * Birth date (`YYYY-MM-DD` on the wire); withheld from a proxy unless
   * `apply`.
   */
  birthDate?: string | null,
  /** Their cards, as far as the caller may see them. */
  cards: Array<Card>,
};

/** `GET /v1/me`. */
export type Profile = {
  /** The account. */
  accountId: string,
  /** The account holder. */
  person: PersonSummary,
  /** People the account acts for under an active mandate. */
  principals: Array<PersonSummary>,
  /** Province code whose rules apply to the account holder. */
  region: string,
};

/** What happened to a submission. */
export type Submission = {
  /** The outbox entry. */
  outboxId: number,
  /** `Done` when the platform answered, `Pending` when queued (offline). */
  state: OutboxState,
  /** The application it created or acted on, once confirmed. */
  applicationId: string | null,
  /** The mandate it created or acted on, once confirmed. */
  delegationId: string | null,
  /** The platform's answer as JSON text, when done. */
  responseJson: string | null,
};

/** A submission. */
export type OutboxEntry = {
  /** Local id. */
  id: number,
  /** The idempotency key it is always sent with. */
  idempotencyKey: string,
  /** What it does, e.g. `application.submit`. */
  action: string,
  /** HTTP path. */
  path: string,
  /** What it is about (an application or card id), if known. */
  subject: string | null,
  /** State. */
  state: OutboxState,
  /** Attempts so far. */
  attempts: number,
  /** Earliest next attempt (Unix seconds). */
  nextAttemptAt: number,
  /** The last error (code), if any. */
  lastError: string | null,
  /** When it was queued. */
  createdAt: number,
};

/** One step in an application's history. */
export type StageEntry = {
  /** The state entered. */
  state: ApplicationState,
  /** When. */
  at: number,
};

/** An application as the platform tracks it. */
export type Application = {
  /** Id. */
  applicationId: string,
  /** What it is for. */
  kind: ApplicationKind,
  /** The person the card is for. */
  personId: string,
  /** The account that submitted it. */
  submittedBy: string,
  /** The mandate it was submitted under, if for someone else. */
  mandateId: string | null,
  /** Current state. */
  state: ApplicationState,
  /** History, oldest first. */
  stages: Array<StageEntry>,
  /** Fees due in fen (postage and replacement fee). */
  feeFen: number,
  /** What the resident can do now. */
  actions: Array<ApplicationAction>,
  /** The card being replaced, for replacements. */
  replacesCardId: string | null,
  /**
   * The card, from the start of production (its e-card may work before
   * the card is received, as the region's `e_card_timing` says).
   */
  cardId: string | null,
  /** Why production failed, when it did. */
  failureReason: string | null,
  /** Submission time. */
  createdAt: number,
  /**
   * Made on the spot at the pickup outlet (即时制卡): the applicant goes
   * there and waits for it.
   */
  instantIssue: boolean,
};

/**
 * The step a flow is at. Serialized with a snake_case `kind` tag, as the
 * HarmonyOS binding hands it to JavaScript.
 */
export type FlowStep = { "kind": "waiting_to_send" } | { "kind": "pay",
  /** Amount in fen. */
  amountFen: number,
} | { "kind": "in_production" } | { "kind": "in_transit" } | { "kind": "collect_at_outlet" } | { "kind": "activate" } | { "kind": "resubmit_photo",
  /** Why, as the card bureau said. */
  reason: string,
} | { "kind": "done" } | { "kind": "cancelled" };

/** One stage of the progress bar (制卡进度). */
export type ProgressStage = {
  /** The state. */
  state: ApplicationState,
  /** Its label in the chosen language. */
  label: string,
  /** When it was reached. */
  at: number | null,
};

/** A mandate. */
export type Delegation = {
  /** Id. */
  delegationId: string,
  /** Kind. */
  kind: DelegationKind,
  /** The account acting. */
  agentAccountId: string,
  /** The person acted for. */
  principalPersonId: string,
  /** The principal's name, masked. */
  principalNameMasked: string,
  /** What it allows. */
  scopes: Array<Scope>,
  /** State. */
  status: DelegationStatus,
  /** When it was requested. */
  createdAt: number,
  /** When the principal consented (family proxies). */
  consentedAt: number | null,
  /** When it ends. */
  expiresAt: number,
  /** When it was revoked. */
  revokedAt: number | null,
  /**
   * Since when the guardian allows the e-card on the ward's own phone
   * (guardian mandates only; `None`: not allowed).
   */
  wardECardSince: number | null,
};

/** One audited action. */
export type AuditEntry = {
  /** When. */
  at: number,
  /** The account that acted. */
  actorAccountId: string,
  /** The person acted for. */
  principalPersonId: string,
  /** The mandate used, if the actor is not the principal. */
  mandateId: string | null,
  /** What was done, e.g. `application.submit`. */
  action: string,
  /** The object acted on. */
  objectId: string,
};

/**
 * Something changed. Serialized with a snake_case `kind` tag
 * (`{ "kind": "card_suspended", "card_id": … }`), as the HarmonyOS
 * binding hands it to JavaScript.
 */
export type ClientEvent = { "kind": "profile_changed" } | { "kind": "credentials_changed",
  /** The card. */
  cardId: string,
} | { "kind": "card_suspended",
  /** The card. */
  cardId: string,
} | { "kind": "catalogue_synced",
  /** Whether anything changed. */
  changed: boolean,
} | { "kind": "connectivity_changed",
  /** Whether the last call reached the platform. */
  online: boolean,
} | { "kind": "outbox_changed",
  /** Submissions not yet confirmed by the platform. */
  pending: number,
} | { "kind": "workflow_changed",
  /** The id of what changed. */
  id: string,
} | { "kind": "account_notice",
  /** The notice (a device name at most; no personal data). */
  notice: AccountNotice,
} | { "kind": "eligibility_reminder",
  /** The pensioner (the account holder or a relative). */
  personId: string,
  /** The last day of the current certification. */
  dueBy: string,
  /** Days before `due_by` this reminder is for (0 with `suspended`). */
  daysBefore: number,
  /** Whether payments are suspended. */
  suspended: boolean,
} | { "kind": "missed",
  /** How many events were dropped. */
  count: number,
};

/** The signed-in account on this device. */
export type ExportedSession = {
  /** The account. */
  accountId: string,
  /** The account holder. */
  personId: string,
  /** This device. */
  deviceId: string,
  /** Who enrolled (kept sealed; shown masked). */
  identity: PersonIdentity,
};

/** A draft in the export. */
export type ExportedDraft = {
  /** Id. */
  draftId: string,
  /** The form as JSON (photos as base64). */
  form: unknown,
  /** Last saved. */
  updatedAt: number,
};

/** A submission in the export. */
export type ExportedSubmission = {
  /** What it did. */
  action: string,
  /** Its state. */
  state: string,
  /** When it was queued. */
  createdAt: number,
  /** The platform's answer. */
  response: unknown,
};

/** A credential in the export. */
export type ExportedCredential = {
  /** The card. */
  cardId: string,
  /** The purposes it grants. */
  purposes: Array<string>,
  /** Valid until. */
  notAfter: number,
};

/** A report of an access record. */
export type AccessReport = {
  /** The report. */
  reportId: string,
  /** The record reported. */
  recordId: string,
  /** Why. */
  reason: AccessReportReason,
  /** What the resident added. */
  note: string | null,
  /** When. */
  reportedAt: number,
};

/** One resolution of the person's code, as the resident sees it. */
export type AccessRecord = {
  /** The record. */
  recordId: string,
  /** The person whose code was resolved. */
  personId: string,
  /** Who looked: the operator's name. */
  operatorName: string,
  /** What kind of organisation it is. */
  operatorKind: ServicePointKind,
  /** Where, as the operator was registered (address or outlet). */
  location: string | null,
  /** The terminal that scanned. */
  terminalId: string,
  /** What the code was shown for. */
  purpose: Purpose,
  /** Who showed it. */
  presentedBy: HolderRole,
  /** The fields the operator learnt. */
  disclosed: Array<DisclosedField>,
  /** When. */
  at: number,
  /** The resident's report of it, if any. */
  report: AccessReport | null,
};

/** `GET /v1/me/access-records` answer: newest first. */
export type AccessRecordPage = {
  /** The records of this page. */
  records: Array<AccessRecord>,
  /** The `before` of the next (older) page; null on the last. */
  nextBefore: number | null,
};

/** How fresh what the app shows is. */
export type Freshness = {
  /** When the platform last confirmed it (Unix seconds, platform time). */
  fetchedAt: number,
  /** Seconds since then. */
  ageSeconds: number,
  /** Older than [`FRESH_FOR_SECONDS`]: the app says "可能不是最新". */
  stale: boolean,
  /** Shown from this device because the platform could not be reached. */
  offline: boolean,
};

/** A person's participation in one insurance. */
export type Participation = {
  /** The insurance. */
  insurance: Insurance,
  /** First insured month, `YYYY-MM`. */
  since: string,
  /** Where it stands today. */
  status: ParticipationStatus,
  /** How the latest month was paid. */
  scheme: Scheme,
  /** The division code (行政区划) where the person is insured now. */
  region: string,
  /** Months with a contribution (paid or owed). */
  months: number,
};

/** Who paid a run of months: an employer, or the person alone. */
export type Payer = {
  /** How the months were paid. */
  scheme: Scheme,
  /** The employer's name (`employee` only). */
  employer?: string | null,
};

/**
 * One month of one insurance (compact: the payer is an index into
 * [`InsuranceRecord::payers`]). Amounts are fen (分).
 */
export type ContributionMonth = {
  /**
   * `YYYY-MM` (resident insurance: the year's single payment is dated
   * in January).
   */
  month: string,
  /** The insurance. */
  insurance: Insurance,
  /** Index into `payers`. */
  payer: number,
  /** 缴费基数, fen (0 for resident insurance, paid at a flat rate). */
  base: number,
  /** The person's share, fen. */
  personal: number,
  /** The employer's share, fen (0 when the person pays alone). */
  employer: number,
  /** Division code where the month was paid. */
  region: string,
  /** Paid (`true`) or owed (欠缴, `false`). */
  paid: boolean,
};

/**
 * A transfer of the insurance relationship between regions
 * (社保关系转移接续).
 */
export type Transfer = {
  /** The day, `YYYY-MM-DD`. */
  date: string,
  /** Division code left. */
  fromRegion: string,
  /** Division code joined. */
  toRegion: string,
};

/** One year of one insurance, summed. */
export type YearTotal = {
  /** The year. */
  year: number,
  /** The insurance. */
  insurance: Insurance,
  /** Months with a contribution. */
  months: number,
  /** Months owed (not paid). */
  monthsOwed: number,
  /** The person's shares, fen. */
  personal: number,
  /** The employers' shares, fen. */
  employer: number,
};

/** The pension the person draws after retirement. */
export type PensionStart = {
  /** First month of the pension, `YYYY-MM`. */
  since: string,
  /** Division code paying it. */
  region: string,
  /** The first monthly amount, fen. */
  monthly: number,
};

/** `GET /v1/me/insurance-records?person_id=`: the whole record. */
export type InsuranceRecord = {
  /** Whose record. */
  personId: string,
  /** The platform time of the answer, Unix seconds. */
  asOf: number,
  /** Last month the record covers, `YYYY-MM`. */
  through: string,
  /** One per insurance the person ever joined. */
  participations: Array<Participation>,
  /** Who paid (indexed by the months). */
  payers: Array<Payer>,
  /** Every month, oldest first. */
  months: Array<ContributionMonth>,
  /** Transfers between regions, oldest first. */
  transfers: Array<Transfer>,
  /** Totals per year and insurance, oldest first. */
  totals: Array<YearTotal>,
  /** The pension, once the person retired. */
  pension?: PensionStart | null,
};

/** One year of the record: the totals of each insurance, and of all. */
export type RecordYear = {
  /** The year. */
  year: number,
  /** One line per insurance paid that year. */
  insurances: Array<YearTotal>,
  /** The person's shares of all insurances, fen. */
  personal: number,
  /** The employers' shares of all insurances, fen. */
  employer: number,
  /** Months owed (欠缴), any insurance. */
  monthsOwed: number,
};

/** The insurance record as the app shows it. */
export type RecordsView = {
  /** Whose record. */
  personId: string,
  /** The last month it covers, `YYYY-MM`. */
  through: string,
  /** One per insurance the person ever joined. */
  participations: Array<Participation>,
  /** Transfers between regions, oldest first. */
  transfers: Array<Transfer>,
  /** The pension, once the person retired. */
  pension: PensionStart | null,
  /** Newest year first. */
  years: Array<RecordYear>,
  /** How fresh it is. */
  freshness: Freshness,
};

/** One month of one insurance, with who paid it. */
export type MonthLine = {
  /** `YYYY-MM`. */
  month: string,
  /** The insurance. */
  insurance: Insurance,
  /** How it was paid. */
  scheme: Scheme,
  /** The employer, when an employer paid. */
  employerName: string | null,
  /** 缴费基数, fen. */
  base: number,
  /** The person's share, fen. */
  personal: number,
  /** The employer's share, fen. */
  employer: number,
  /** Division code where it was paid. */
  region: string,
  /** Paid, or owed (欠缴). */
  paid: boolean,
};

/** `POST /v1/me/certificates`. */
export type CertificateRequest = {
  /**
   * Whose (default: the caller); someone else needs a mandate with the
   * `records` scope.
   */
  personId?: string | null,
  /** What to certify. */
  kind: CertificateKind,
  /** One insurance only (default: all). */
  insurance?: Insurance | null,
  /** First year (contribution records; default: the first on record). */
  fromYear?: number | null,
  /** Last year (contribution records; default: the last on record). */
  toYear?: number | null,
};

/** An issued certificate, as its holder (or proxy) sees it. */
export type Certificate = {
  /** Id (for the PDF: `GET /v1/me/certificates/{id}/pdf`). */
  certificateId: string,
  /** Whose. */
  personId: string,
  /** What it certifies. */
  kind: CertificateKind,
  /** One insurance only. */
  insurance?: Insurance | null,
  /** First year covered. */
  fromYear?: number | null,
  /** Last year covered. */
  toYear?: number | null,
  /** 16 characters of Crockford base32: what a checker types or scans. */
  verificationCode: string,
  /** Unix seconds. */
  issuedAt: number,
  /** Unix seconds; checks answer `expired` from then on. */
  validUntil: number,
  /** The PDF's SHA-256, lower-case hex. */
  sha256: string,
  /** The PDF's size in bytes. */
  size: number,
  /** The holder or a proxy. */
  requestedBy: RequestedBy,
  /** The proxy's masked name (who asked, when it was not the holder). */
  requestedByName?: string | null,
  /** Where anyone can check it: `{public base}/v1/certificate-checks/{code}`. */
  checkUrl: string,
};

/** A certificate as the app lists it. */
export type CertificateView = {
  /** The certificate as issued. */
  certificate: Certificate,
  /** Whether its PDF is kept on this device (opens offline). */
  saved: boolean,
  /** Whether its validity has ended (checks answer `expired`). */
  expired: boolean,
};

/**
 * `GET /v1/certificate-checks/{code}` and `POST /v1/certificate-checks`:
 * what anyone may learn of a certificate (the fields are absent when the
 * state is `unknown`).
 */
export type CertificateCheck = {
  /** Valid, expired or unknown. */
  state: CertificateState,
  /** The holder's masked name (`刘**`). */
  nameMasked?: string | null,
  /** The holder's masked ID number. */
  idNumberMasked?: string | null,
  /** What it certifies. */
  kind?: CertificateKind | null,
  /** One insurance only. */
  insurance?: Insurance | null,
  /** First year covered. */
  fromYear?: number | null,
  /** Last year covered. */
  toYear?: number | null,
  /** Unix seconds. */
  issuedAt?: number | null,
  /** Unix seconds. */
  validUntil?: number | null,
  /** The issuing platform's name (社会保险经办机构). */
  issuer?: string | null,
};

/** The use of the card a passive certification rests on. */
export type PassiveUse = {
  /** The kind of service point that resolved the card's code. */
  operatorKind: ServicePointKind,
  /** The day of the use (China calendar, `YYYY-MM-DD`). */
  usedOn: string,
};

/** One certification. */
export type Certification = {
  /** When it took effect (Unix seconds). */
  at: number,
  /** Face or passive. */
  method: CertificationMethod,
  /** The device that ran the face check, if it was on a phone. */
  deviceId: string | null,
  /**
   * The account of the family member who ran it for the pensioner under
   * a mandate; `None` when the pensioner did it or it was passive.
   */
  helperAccountId: string | null,
  /** The use a passive certification rests on. */
  passiveUse: PassiveUse | null,
};

/** A reminder before the due date. */
export type EligibilityReminder = {
  /** Days before `due_by`. */
  daysBefore: number,
  /** The day it falls on (`YYYY-MM-DD`). */
  on: string,
  /** Whether that day has come. */
  due: boolean,
};

/** `GET /v1/me/eligibility?person_id=`: the person's current cycle. */
export type EligibilityStatus = {
  /** The person. */
  personId: string,
  /** Where they stand. */
  state: EligibilityState,
  /**
   * The last day the current certification covers (`YYYY-MM-DD`); null
   * when no certification is required.
   */
  dueBy: string | null,
  /**
   * The last day of the grace after `due_by`; payments are suspended
   * from the day after.
   */
  graceUntil: string | null,
  /** The latest certification. */
  lastCertification: Certification | null,
  /** The reminders of this cycle, earliest first. */
  reminders: Array<EligibilityReminder>,
  /** Whether pension payments are suspended now. */
  paymentsSuspended: boolean,
  /** When they were suspended, if they are. */
  suspendedSince: number | null,
  /**
   * The pension months withheld while suspended, paid together once the
   * person certifies (补发), as `YYYY-MM`.
   */
  withheldMonths: Array<string>,
};

/** Where a pensioner stands, and how fresh that is. */
export type EligibilityView = {
  /** The status as the platform gave it. */
  status: EligibilityStatus,
  /** Whether something is to be done now: due, overdue or suspended. */
  actionNeeded: boolean,
  /** How fresh it is. */
  freshness: Freshness,
};

/** `GET /v1/cards/{id}/financial-account`. */
export type FinancialAccount = {
  /** The card. */
  cardId: string,
  /** The co-branded bank, with its hotline. */
  bank: Bank,
  /** The account number masked, e.g. `6217 **** **** 1234`. */
  accountMasked: string,
  /** The bank function's state. */
  state: BankFunctionState,
  /** When the financial loss report was made, if it was. */
  lossReportedAt: number | null,
};

/** A card's financial account, and how fresh that is. */
export type FinancialAccountView = {
  /** The account as the platform knows it. */
  account: FinancialAccount,
  /** How fresh it is. */
  freshness: Freshness,
};

/** One payment into the card's account. */
export type Payment = {
  /** The payment. */
  paymentId: string,
  /** The person paid. */
  personId: string,
  /** The card whose account received it. */
  cardId: string,
  /** Where it comes from. */
  source: PaymentSource,
  /**
   * The programme, for subsidies (e.g. 耕地地力保护补贴) and wages (the
   * project); the pension's scheme for pensions.
   */
  programme: string,
  /** Amount in fen. */
  amountFen: number,
  /** Who paid (a social insurance agency, a finance bureau, an employer). */
  payer: string,
  /** The day paid (`YYYY-MM-DD`, China calendar). */
  paidOn: string,
  /**
   * The months a pension payment covers (`YYYY-MM`): one for a monthly
   * payment, several for the arrears paid after a suspension (补发).
   */
  months: Array<string>,
  /** Whether it is sample data of the reference platform. */
  sample: boolean,
};

/** `GET /v1/me/payments` answer: newest first. */
export type PaymentPage = {
  /** The payments of this page. */
  payments: Array<Payment>,
  /** The `before` of the next (older) page; null on the last. */
  nextBefore: number | null,
};

/** Everything the app holds about the person. */
export type PersonalDataExport = {
  /** When the export was made (Unix seconds). */
  exportedAt: number,
  /** The enrolled account and identity. */
  session: ExportedSession | null,
  /** The last profile fetched. */
  profile: Profile | null,
  /** Forms in progress. */
  drafts: Array<ExportedDraft>,
  /** Submissions and the platform's answers. */
  submissions: Array<ExportedSubmission>,
  /** Applications last seen. */
  applications: Array<Application>,
  /** Mandates last seen. */
  mandates: Array<Delegation>,
  /** Births filed (出生一件事) last seen. */
  births: Array<Birth>,
  /** Credentials held (what they say, not the bytes). */
  credentials: Array<ExportedCredential>,
  /**
   * Who resolved the person's codes (and those of people they track),
   * as last fetched.
   */
  accessRecords: Array<AccessRecord>,
  /**
   * Insurance records (权益记录) last fetched, of the person and of
   * relatives they may see.
   */
  insuranceRecords: Array<InsuranceRecord>,
  /**
   * Certificates (参保证明) known here (what they say; the PDFs are
   * opened with [`EcardClient::certificate_pdf`]).
   */
  certificates: Array<Certificate>,
  /** Pension eligibility statuses last fetched. */
  eligibility: Array<EligibilityStatus>,
  /** The cards' financial accounts last fetched. */
  financialAccounts: Array<FinancialAccount>,
  /** Payments into the cards' accounts last fetched. */
  payments: Array<Payment>,
};

/** A relying party as the resident sees it: its registered name and kind. */
export type RelyingPartyView = {
  /** The OAuth `client_id`. */
  clientId: string,
  /** The registered name (never a name taken from the QR code). */
  name: string,
  /** The registered kind. */
  kind: RelyingPartyKind,
};

/**
 * `GET /v1/login-requests/{id}`: what the app shows before the resident
 * decides.
 */
export type LoginRequestView = {
  /** The login request's id (from the QR code). */
  requestId: string,
  /** Who asks, as registered. */
  relyingParty: RelyingPartyView,
  /** What it asks for (only scopes it is registered for). */
  scopes: Array<ClaimScope>,
  /** Where it stands. */
  status: LoginRequestStatus,
  /** Unix seconds after which it can no longer be approved. */
  expiresAt: number,
};

/** The answer to approving or denying a login request. */
export type LoginDecision = {
  /** The login request. */
  requestId: string,
  /** `approved` or `denied`. */
  status: LoginRequestStatus,
  /** The authorisation an approval made. */
  authorisationId?: string | null,
};

/** `GET /v1/me/authorisations`: one login the resident approved. */
export type Authorisation = {
  /** Its id. */
  authorisationId: string,
  /** The relying party, as registered. */
  relyingParty: RelyingPartyView,
  /** The scopes granted. */
  scopes: Array<ClaimScope>,
  /** Unix seconds of the approval. */
  authorisedAt: number,
  /**
   * The mandate it was approved under, when the approver logged in for
   * someone else.
   */
  onBehalfOf?: string | null,
  /**
   * Whether the caller is the person logged in (`false`: the caller
   * approved it for someone else, or someone approved it for the caller).
   */
  forSelf: boolean,
  /** Unix seconds of its revocation; its tokens stop working then. */
  revokedAt?: number | null,
};

// ---- end of generated declarations

// ---------------------------------------------------------------- classes

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
  /**
   * What to offer when `search` found nothing: the closest items, the nearest
   * outlets that handle them (when `near` is given) and the hotline (12333).
   */
  searchHelp(query: SearchQuery, near?: Location | null): SearchHelp;
  /** A cached catalogue item by id (a search hit's twin), or null. */
  catalogueItem(id: string): CatalogueItem | null;
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
  /** As a ward's guardian, allows (or withdraws) the e-card on the ward's own phone, with the e-card PIN. */
  setWardECard(delegationId: string, allowed: boolean, pin: string): Promise<Submission>;
  /** As a ward's guardian, sets the ward's e-card PIN, with the guardian's own PIN. */
  setWardPin(delegationId: string, newPin: string, pin: string): Promise<void>;
  /** 出生一件事: files the one form, with the card photo where the region needs one. */
  registerBirth(form: BirthForm, photoJpeg?: Uint8Array | null): Promise<Submission>;
  /** The births this account filed, each with its one progress line. */
  births(): Promise<BirthFlow[]>;
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

  /**
   * 扫码登录: the login request `requestId` (from `classifyScan`): the relying party's
   * registered name and kind (never text from the QR code), the scopes, the expiry.
   */
  loginRequest(requestId: string): Promise<LoginRequestView>;
  /** Approves with the e-card PIN; with `onBehalfOf` (a mandate with the `login` scope) for that relative. */
  approveLogin(requestId: string, pin: string, onBehalfOf?: string | null): Promise<LoginDecision>;
  /** Denies a login request (the browser goes back with `access_denied`). */
  denyLogin(requestId: string): Promise<LoginDecision>;
  /** 我的授权: the logins the holder approved, and those approved for them. */
  authorisations(): Promise<Authorisation[]>;
  /** Revokes an authorisation: the relying party's tokens stop at once. */
  revokeAuthorisation(authorisationId: string): Promise<Authorisation>;
  /**
   * 谁查看了我的信息: a page of the access records of `personId` (the holder when null;
   * a relative's need a mandate with `track`), newest first; `before` is the previous
   * page's `nextBefore`. Offline: the records last fetched, in one page.
   */
  accessRecords(personId?: string | null, before?: number | null): Promise<AccessRecordPage>;
  /** The access records last fetched, newest first. Local I/O only. */
  accessRecordsCached(personId?: string | null): AccessRecord[];
  /** 这不是我: reports a record, with an optional note (≤ 500 characters); sent through the outbox. */
  reportAccessRecord(recordId: string, reason: AccessReportReason, note?: string | null): Promise<Submission>;

  /**
   * 权益记录: the insurance record of `personId` (the holder when null; a relative's needs a
   * mandate with `records`) by year, newest first, and insurance. Fetched again only when it
   * changed; offline, the record last fetched (`freshness.offline`).
   */
  insuranceRecords(personId?: string | null): Promise<RecordsView>;
  /** The record last fetched, or null. Local I/O only. */
  insuranceRecordsCached(personId?: string | null): RecordsView | null;
  /** The months of `year` of the cached record, of one insurance or all, oldest first. Local I/O only. */
  insuranceRecordMonths(personId: string | null | undefined, year: number, insurance?: Insurance | null): MonthLine[];
  /** 开具参保证明 / 缴费证明: the PDF is kept on this device once its SHA-256 matches. */
  requestCertificate(request: CertificateRequest): Promise<CertificateView>;
  /** The certificates issued for `personId` (the holder when null), newest first; offline, those kept here. */
  certificates(personId?: string | null): Promise<CertificateView[]>;
  /** The certificates this device knows, newest first. Local I/O only. */
  certificatesCached(personId?: string | null): CertificateView[];
  /** A certificate's PDF: kept here (opens offline) or downloaded and checked against its SHA-256. */
  certificatePdf(certificateId: string): Promise<Uint8Array>;
  /** The path of one plain copy of the PDF for opening or the share sheet (earlier copies are removed). */
  certificateFile(certificateId: string): Promise<string>;
  /** Checks a certificate by its verification code, as anyone handed one can. */
  checkCertificate(code: string): Promise<CertificateCheck>;
  /** Checks a certificate's file; a changed file is refused (`certificate_invalid`). */
  checkCertificateFile(pdf: Uint8Array): Promise<CertificateCheck>;
  /**
   * 待遇资格认证: where `personId` (the holder when null; a relative's needs a mandate with
   * `eligibility`) stands; offline, the status last fetched. Tells the reminders that have come.
   */
  eligibility(personId?: string | null): Promise<EligibilityView>;
  /** The eligibility last fetched, or null. Local I/O only. */
  eligibilityCached(personId?: string | null): EligibilityView | null;
  /**
   * Certifies by a face check of `pensioner` on this phone. 为家人认证: for a relative, the
   * relative's identity and face; the helper's own face is refused (`identity_not_verified`).
   */
  certifyEligibility(personId: string | null | undefined, pensioner: PersonIdentity, face: FaceCheck): Promise<EligibilityView>;
  /** Tells the eligibility reminders due and not told yet (`eligibility_reminder` events); answers how many. */
  remindEligibility(): Promise<number>;
  /** The card's bank function: bank and hotline, account masked, state; offline, the account last fetched. */
  financialAccount(cardId: string): Promise<FinancialAccountView>;
  /** The financial account last fetched, or null. Local I/O only. */
  financialAccountCached(cardId: string): FinancialAccountView | null;
  /**
   * 待遇发放: a page of the payments into the card accounts of `personId` (the holder when null;
   * a relative's need `track`), newest first; `before` is the previous page's `nextBefore`.
   */
  payments(personId?: string | null, before?: number | null): Promise<PaymentPage>;
  /** The payments last fetched, newest first. Local I/O only. */
  paymentsCached(personId?: string | null): Payment[];
  /** 金融功能挂失, through the outbox: the codes keep working; the bank's hotline completes it. */
  reportFinancialLoss(cardId: string): Promise<Submission>;
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

// -------------------------------------------------------------- scanning

/** What a scan found: a login QR code, someone's e-card code, a malformed login code, other text. */
export type ScanKind = 'login' | 'e_card_code' | 'malformed_login' | 'unknown';
/** The result of `classifyScan`. */
export type ScanResult = {
  kind: ScanKind;
  /** The login request's id, for `login`. */
  loginRequestId: string | null;
};
/** 扫一扫: tells a login QR code from an e-card code from other text. Pure: safe on the UI thread. */
export declare function classifyScan(text: string): ScanResult;

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
  deviceSuite: Suite;
  requestTimeoutSeconds: number;
  storageLimitBytes: number | null;
  keyStoreTimeoutSeconds: number;
  fieldCipher: FieldCipher;
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
