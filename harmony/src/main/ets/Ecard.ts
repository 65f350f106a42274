/**
 * The friendly face of the core for ArkUI pages: one object per signed-in
 * app, with the native client underneath (`client`) for anything not
 * wrapped here.
 *
 * Plain TypeScript on purpose: it only uses the native module's types
 * (`import type`), so it type-checks with tsc and runs in the Node tests
 * against the real library; `open.ts` is the one file that loads the
 * HarmonyOS library and HUKS.
 */
import type {
  ApplicationFlow,
  BirthFlow,
  BirthForm,
  CardView,
  CatalogueItem,
  ClientEvent,
  CodeView,
  Delegation,
  Delivery,
  EcardClient,
  Evidence,
  Locale,
  Location,
  LossFlow,
  OutletHit,
  OutletService,
  PersonIdentity,
  Purpose,
  RegionalRules,
  Relationship,
  ReplacementKind,
  SearchHelp,
  SearchHit,
  Snapshot,
  Submission,
} from 'libecard_harmony.so';
import { EnrolmentFlow } from './Account';
import { CodeTimer } from './CodeTimer';
import { DisplayMode, NORMAL_MODE } from './ElderMode';
import { ErrorView, errorView } from './ErrorView';

/** What a guardian may do for a minor or newborn. */
export const GUARDIAN_SCOPES = ['apply', 'replace', 'report_loss', 'activate', 'show_code', 'track'] as const;
/**
 * What a family member asks to do for an elderly relative: the card, and the
 * self-service of issue 18 (为家人认证: `eligibility`; 权益记录 and 参保证明:
 * `records`).
 */
export const FAMILY_SCOPES = ['report_loss', 'show_code', 'track', 'eligibility', 'records'] as const;

/** Either the answer or what to show instead. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorView };

export class Ecard {
  readonly client: EcardClient;

  constructor(client: EcardClient) {
    this.client = client;
  }

  get locale(): Locale {
    return this.client.locale();
  }

  /** Runs a call and turns a failure into what the screen shows. */
  async attempt<T>(work: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      return { ok: false, error: errorView(error, this.locale) };
    }
  }

  /** What to show for an error caught anywhere. */
  describe(error: unknown): ErrorView {
    return errorView(error, this.locale);
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  onEvent(listener: (event: ClientEvent) => void): () => void {
    const subscription = this.client.subscribe(listener);
    return () => subscription.cancel();
  }

  snapshot(): Snapshot {
    return this.client.snapshot();
  }

  /** The account holder's usable card, if any. */
  ownCard(): CardView | undefined {
    return this.snapshot().cards.find(
      (card) => card.role === 'holder' && card.status !== 'replaced' && card.status !== 'cancelled',
    );
  }

  /** Cards of people this account acts for (relatives, children). */
  cardsActedFor(): CardView[] {
    return this.snapshot().cards.filter((card) => card.role !== 'holder');
  }

  /** The next code for a card (own card by default), with its countdown. */
  async code(purpose: Purpose, cardId?: string): Promise<CodeTimer> {
    const code: CodeView = await this.client.currentCode(cardId ?? null, purpose);
    return new CodeTimer(code, Date.now() / 1000);
  }

  /** Offline catalogue search, sized for the display mode (in `region` when given, else every list). */
  search(text: string, mode: DisplayMode = NORMAL_MODE, region?: string): SearchHit[] {
    return this.client.search({ text, limit: mode.listLimit, region: region ?? null });
  }

  /**
   * When `search` found nothing: the closest items, the nearest outlets that
   * handle them (only when `near` is known) and the hotline (12333).
   */
  searchHelp(text: string, mode: DisplayMode = NORMAL_MODE, near?: Location, region?: string): SearchHelp {
    return this.client.searchHelp({ text, limit: Math.min(mode.listLimit, 5), region: region ?? null }, near ?? null);
  }

  /** A cached catalogue item by id (a hit's national twin), or null. */
  catalogueItem(id: string): CatalogueItem | null {
    return this.client.catalogueItem(id);
  }

  nearestOutlets(latitude: number, longitude: number, service?: OutletService, limit = 20): OutletHit[] {
    return this.client.nearestOutlets({ latitude, longitude, limit, service: service ?? null });
  }

  /** The region's rules (from the synced catalogue), or null before the first sync. */
  rules(): RegionalRules | null {
    return this.client.rules();
  }

  /**
   * Whether 即时制卡 can be offered for pickup at `outlet`: the region's rules
   * offer it and the outlet makes cards on the spot.
   */
  instantIssueAt(outlet: OutletHit): boolean {
    return (this.rules()?.instantIssue.offered ?? false) && outlet.outlet.services.includes('instant_issue');
  }

  /**
   * Applies for a first card (for `personId` when acting for someone) and
   * returns its flow; `instantIssue` (即时制卡) only with pickup at an outlet
   * where `instantIssueAt` holds.
   */
  async applyForCard(
    photoJpeg: Uint8Array,
    bank: string,
    phone: string,
    delivery: Delivery,
    personId?: string,
    instantIssue = false,
  ): Promise<ApplicationFlow> {
    const submission = await this.client.submitApplication({ personId: personId ?? null, photoJpeg, bank, phone, delivery, instantIssue });
    return await this.flowOf(submission);
  }

  /**
   * Whether an application waits at the outlet to be made on the spot
   * (即时制卡): the screen says "go to the outlet" instead of production days.
   */
  waitsAtOutlet(flow: ApplicationFlow): boolean {
    const application = flow.application;
    return application.instantIssue && (application.state === 'submitted' || application.state === 'paid');
  }

  /** Replaces a card and returns the new application's flow. */
  async replaceCard(cardId: string, kind: ReplacementKind, delivery: Delivery, bank?: string): Promise<ApplicationFlow> {
    const submission = await this.client.submitReplacement({ cardId, kind, bank: bank ?? null, photoJpeg: null, delivery });
    return await this.flowOf(submission);
  }

  lossFlow(cardId: string): LossFlow {
    return this.client.lossFlow(cardId);
  }

  /**
   * Asks to act for an elderly relative, declaring how they are related, with
   * the e-card PIN; the relative then consents (in their app, at a counter, or
   * by a face check on this phone: `client.consentMandateByFace`).
   */
  async actForRelative(relative: PersonIdentity, relationship: Relationship, pin: string): Promise<Submission> {
    return await this.client.requestMandate('family_proxy', relative, null, [...FAMILY_SCOPES], null, relationship, pin);
  }

  /** Becomes the guardian of a minor or newborn, with the household register or birth certificate, and the e-card PIN. */
  async actAsGuardian(child: PersonIdentity, evidence: Evidence, pin: string): Promise<Submission> {
    return await this.client.requestMandate('guardian', child, evidence, [...GUARDIAN_SCOPES], null, null, pin);
  }

  /** The mandates this account holds (acting for relatives, guardianship of children). */
  async mandates(): Promise<Delegation[]> {
    return await this.client.mandates();
  }

  /**
   * As a ward's guardian: allows (or withdraws) the e-card on the child's own
   * phone, with the guardian's e-card PIN (shown as `wardECardSince`).
   */
  async setWardECard(delegationId: string, allowed: boolean, pin: string): Promise<Submission> {
    return await this.client.setWardECard(delegationId, allowed, pin);
  }

  /** As a ward's guardian: sets the child's e-card PIN, confirmed with the guardian's own PIN. */
  async setWardPin(delegationId: string, newPin: string, pin: string): Promise<void> {
    await this.client.setWardPin(delegationId, newPin, pin);
  }

  /**
   * Whether the region takes the birth registration and the newborn's card in
   * one submission (出生一件事); when not, the birth is registered first.
   */
  birthInOneSubmission(): boolean {
    return this.rules()?.newborn.oneSubmission ?? false;
  }

  /** Children under this age (years) need no card photo; 0 when every child needs one. */
  newbornPhotoExemptUnderAge(): number {
    return this.rules()?.newborn.photoExemptUnderAge ?? 0;
  }

  /** 出生一件事: files the one form (with the card photo where the region needs one). */
  async registerBirth(form: BirthForm, photoJpeg?: Uint8Array): Promise<Submission> {
    return await this.client.registerBirth(form, photoJpeg ?? null);
  }

  /** The births this account filed, each with its one progress line. */
  async births(): Promise<BirthFlow[]> {
    return await this.client.births();
  }

  /** The enrolment steps for this client (开通电子社保卡). */
  enrolment(): EnrolmentFlow {
    return new EnrolmentFlow(this.client);
  }

  close(): void {
    this.client.close();
  }

  private async flowOf(submission: Submission): Promise<ApplicationFlow> {
    const applicationId = this.client.submittedApplicationId(submission);
    if (applicationId === null) {
      // Queued offline: the outbox sends it later; show the list instead.
      const flows = await this.client.applications();
      const latest = flows[0];
      if (latest === undefined) throw new Error('the application is waiting to be sent');
      return latest;
    }
    return await this.client.application(applicationId);
  }
}
