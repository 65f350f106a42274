// Screen models of social-insurance self-service, in plain Kotlin: 权益记录
// (the insurance record by year and insurance, a year's months), 参保证明
// (certificates requested, listed, opened and shared, checked), 待遇资格认证
// (pension eligibility, with 为家人认证 for a relative under a mandate with
// the eligibility scope) and 我的收入 / 金融功能挂失 (payments into the
// card's account and the financial loss report with the bank's hotline).
// As the other models they hold no rule of their own: the core fetches,
// caches, decides freshness and what is due; these turn its views into what
// the elder-friendly screens show (yuan from fen, days left, which words).
// Words come from the app's string resources, keyed by the enums below.
package cn.ecard.models

import cn.ecard.ffi.BankFunctionState
import cn.ecard.ffi.CertificateCheck
import cn.ecard.ffi.CertificateKind
import cn.ecard.ffi.CertificateRequest
import cn.ecard.ffi.CertificateView
import cn.ecard.ffi.Delegation
import cn.ecard.ffi.DelegationStatus
import cn.ecard.ffi.EcardClientInterface
import cn.ecard.ffi.EligibilityState
import cn.ecard.ffi.EligibilityView
import cn.ecard.ffi.FaceCheck
import cn.ecard.ffi.FinancialAccountView
import cn.ecard.ffi.Freshness
import cn.ecard.ffi.HolderRole
import cn.ecard.ffi.Insurance
import cn.ecard.ffi.MonthLine
import cn.ecard.ffi.OutboxState
import cn.ecard.ffi.Payment
import cn.ecard.ffi.PaymentSource
import cn.ecard.ffi.PersonIdentity
import cn.ecard.ffi.RecordYear
import cn.ecard.ffi.RecordsView
import cn.ecard.ffi.Scope
import cn.ecard.ffi.Submission
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.temporal.ChronoUnit

/** China's time zone: due dates and payment days are China calendar days. */
val CHINA: ZoneId = ZoneId.of("Asia/Shanghai")

/** Money for the screens. */
object Money {
    /** `¥1,234.56` from fen, digits grouped by three so an elder reads a pension at a glance. */
    fun yuan(fen: ULong): String {
        val whole = (fen / 100u).toString().reversed().chunked(3).joinToString(",").reversed()
        val cents = (fen % 100u).toString().padStart(2, '0')
        return "¥$whole.$cents"
    }
}

/** The China calendar day of a platform time (Unix seconds). */
fun chinaDay(seconds: ULong): LocalDate = Instant.ofEpochSecond(seconds.toLong()).atZone(CHINA).toLocalDate()

/** Days from [today] to [day] (`YYYY-MM-DD`): 0 on the day, negative after it; null if unreadable. */
fun daysLeft(day: String?, today: LocalDate): Long? =
    day?.let { runCatching { ChronoUnit.DAYS.between(today, LocalDate.parse(it)) }.getOrNull() }

/**
 * What a screen says about how fresh it is (string resources `self_freshness_*`): 离线 when shown
 * from this phone because the platform could not be reached, 可能不是最新 when older than a day.
 */
enum class FreshnessLabel(val resource: String) {
    OFFLINE("self_freshness_offline"),
    STALE("self_freshness_stale"),
}

/** The freshness words to show, offline first; empty when fresh. */
fun freshnessLabels(freshness: Freshness): List<FreshnessLabel> = buildList {
    if (freshness.offline) add(FreshnessLabel.OFFLINE)
    if (freshness.stale) add(FreshnessLabel.STALE)
}

/** What an eligibility state is called (string resources `eligibility_state_*`, zh-CN and en). */
enum class EligibilityLabel(val resource: String) {
    NOT_REQUIRED("eligibility_state_not_required"),
    CERTIFIED("eligibility_state_certified"),
    DUE("eligibility_state_due"),
    OVERDUE("eligibility_state_overdue"),
    SUSPENDED("eligibility_state_suspended"),
}

/** The label of [state]. */
fun eligibilityLabel(state: EligibilityState): EligibilityLabel = when (state) {
    EligibilityState.NOT_REQUIRED -> EligibilityLabel.NOT_REQUIRED
    EligibilityState.CERTIFIED -> EligibilityLabel.CERTIFIED
    EligibilityState.DUE -> EligibilityLabel.DUE
    EligibilityState.OVERDUE -> EligibilityLabel.OVERDUE
    EligibilityState.SUSPENDED -> EligibilityLabel.SUSPENDED
}

/** What an insurance is called (string resources `insurance_*`). */
enum class InsuranceLabel(val resource: String) {
    PENSION("insurance_pension"),
    MEDICAL("insurance_medical"),
    UNEMPLOYMENT("insurance_unemployment"),
    WORK_INJURY("insurance_work_injury"),
}

fun insuranceLabel(insurance: Insurance): InsuranceLabel = when (insurance) {
    Insurance.PENSION -> InsuranceLabel.PENSION
    Insurance.MEDICAL -> InsuranceLabel.MEDICAL
    Insurance.UNEMPLOYMENT -> InsuranceLabel.UNEMPLOYMENT
    Insurance.WORK_INJURY -> InsuranceLabel.WORK_INJURY
}

/** Where a payment comes from, in words (string resources `payment_source_*`). */
enum class PaymentSourceLabel(val resource: String) {
    PENSION("payment_source_pension"),
    SUBSIDY("payment_source_subsidy"),
    WAGES("payment_source_wages"),
}

fun paymentSourceLabel(source: PaymentSource): PaymentSourceLabel = when (source) {
    PaymentSource.PENSION -> PaymentSourceLabel.PENSION
    PaymentSource.SUBSIDY -> PaymentSourceLabel.SUBSIDY
    PaymentSource.WAGES -> PaymentSourceLabel.WAGES
}

// --- 权益记录 ----------------------------------------------------------------

/** One insurance of a year, as a row: its name, months, and both shares in yuan. */
data class InsuranceRow(val insurance: Insurance, val label: InsuranceLabel, val months: Int, val monthsOwed: Int, val personal: String, val employer: String)

/** One year, as the list shows it (tap: its months). */
data class YearRow(val year: Int, val personal: String, val employer: String, val monthsOwed: Int, val insurances: List<InsuranceRow>)

fun yearRow(year: RecordYear): YearRow = YearRow(
    year = year.year.toInt(),
    personal = Money.yuan(year.personal),
    employer = Money.yuan(year.employer),
    monthsOwed = year.monthsOwed.toInt(),
    insurances = year.insurances.map {
        InsuranceRow(it.insurance, insuranceLabel(it.insurance), it.months.toInt(), it.monthsOwed.toInt(), Money.yuan(it.personal), Money.yuan(it.employer))
    },
)

/** One month of one insurance: `YYYY-MM`, who paid, base and shares in yuan, paid or owed (欠缴). */
data class MonthRow(
    val month: String,
    val insurance: InsuranceLabel,
    val employerName: String?,
    val base: String,
    val personal: String,
    val employer: String,
    val paid: Boolean,
)

fun monthRow(line: MonthLine): MonthRow = MonthRow(
    line.month, insuranceLabel(line.insurance), line.employerName, Money.yuan(line.base), Money.yuan(line.personal), Money.yuan(line.employer), line.paid,
)

/**
 * 权益记录: the record of the account holder (or of [personId] under a mandate with the records
 * scope), newest year first, with its freshness (离线 / 可能不是最新); tapping a year shows its months,
 * of all insurances or one, from the cached record (no network).
 */
class RecordsModel(private val client: EcardClientInterface, private val personId: String? = null) {
    data class State(
        val view: RecordsView? = null,
        val years: List<YearRow> = emptyList(),
        val freshness: List<FreshnessLabel> = emptyList(),
        /** The first monthly pension in yuan, once retired. */
        val pensionMonthly: String? = null,
        val openYear: Int? = null,
        val insurance: Insurance? = null,
        val months: List<MonthRow> = emptyList(),
        val notice: Notice? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Fetches the record (only if it changed; offline, the record last fetched). */
    suspend fun reload() {
        attempt { client.insuranceRecords(personId) }
            .onSuccess { view -> mutable.update { show(view, it) } }
            .onFailure { error ->
                // Nothing fetched: what this phone keeps, if anything.
                val cached = runCatching { client.insuranceRecordsCached(personId) }.getOrNull()
                mutable.update { (if (cached != null) show(cached, it) else it).copy(notice = error.notice) }
            }
    }

    /** Shows the months of [year] (of [insurance], or all), oldest first; null closes them. */
    fun open(year: Int?, insurance: Insurance? = null) {
        if (year == null) {
            mutable.update { it.copy(openYear = null, insurance = null, months = emptyList()) }
            return
        }
        val months = runCatching { client.insuranceRecordMonths(personId, year.toUShort(), insurance) }
        mutable.update {
            it.copy(
                openYear = year,
                insurance = insurance,
                months = months.getOrDefault(emptyList()).map(::monthRow),
                notice = months.exceptionOrNull()?.let { error -> (error as? cn.ecard.ffi.EcardException)?.toNotice() } ?: it.notice,
            )
        }
    }

    private fun show(view: RecordsView, previous: State): State = previous.copy(
        view = view,
        years = view.years.map(::yearRow),
        freshness = freshnessLabels(view.freshness),
        pensionMonthly = view.pension?.let { Money.yuan(it.monthly) },
        notice = null,
    )
}

// --- 参保证明 ----------------------------------------------------------------

/** A certificate as the list shows it. */
data class CertificateRow(
    val certificateId: String,
    val kind: CertificateKind,
    val insurance: InsuranceLabel?,
    val fromYear: Int?,
    val toYear: Int?,
    val code: String,
    val issuedOn: LocalDate,
    val validUntil: LocalDate,
    val expired: Boolean,
    val saved: Boolean,
    /** The proxy's masked name, when a family member asked for it. */
    val requestedBy: String?,
)

fun certificateRow(view: CertificateView): CertificateRow = with(view.certificate) {
    CertificateRow(
        certificateId, kind, insurance?.let(::insuranceLabel), fromYear?.toInt(), toYear?.toInt(),
        // Read aloud or typed by a checker: in groups of four.
        verificationCode.chunked(4).joinToString("-"),
        chinaDay(issuedAt), chinaDay(validUntil), view.expired, view.saved, requestedByName,
    )
}

/**
 * 参保证明: ask for a certificate (参保证明 or 缴费证明, optionally of one insurance and years), list
 * them, hand one to the platform's share sheet as a file ([file]: the core's one plain copy), and
 * check one by its code or file.
 */
class CertificatesModel(private val client: EcardClientInterface, private val personId: String? = null) {
    data class State(
        val certificates: List<CertificateRow> = emptyList(),
        val busy: Boolean = false,
        val check: CertificateCheck? = null,
        val notice: Notice? = null,
    )

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    /** Lists the certificates issued (offline: those this phone knows; on another error, those too, with the notice). */
    suspend fun reload() {
        attempt { client.certificates(personId) }
            .onSuccess { list -> mutable.update { it.copy(certificates = list.map(::certificateRow), notice = null) } }
            .onFailure { error ->
                val known = runCatching { client.certificatesCached(personId) }.getOrNull()
                mutable.update { state -> state.copy(certificates = known?.map(::certificateRow) ?: state.certificates, notice = error.notice) }
            }
    }

    /** Requests a certificate; returns it, or null with a notice. */
    suspend fun request(kind: CertificateKind, insurance: Insurance? = null, fromYear: Int? = null, toYear: Int? = null): CertificateRow? {
        mutable.update { it.copy(busy = true, notice = null) }
        val result = attempt {
            client.requestCertificate(CertificateRequest(personId, kind, insurance, fromYear?.toUShort(), toYear?.toUShort()))
        }
        mutable.update { it.copy(busy = false, notice = result.exceptionOrNull()?.notice) }
        if (result.isSuccess) reload()
        return result.getOrNull()?.let(::certificateRow)
    }

    /** The path of the certificate's PDF for the share sheet (or opening), or null with a notice. */
    suspend fun file(certificateId: String): String? {
        val result = attempt { client.certificateFile(certificateId) }
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        return result.getOrNull()
    }

    /** Checks a certificate by the code printed on it. */
    suspend fun check(code: String): CertificateCheck? = checked { client.checkCertificate(code.trim()) }

    /** Checks a certificate's file, byte for byte (a changed file is refused with a notice). */
    suspend fun checkFile(pdf: ByteArray): CertificateCheck? = checked { client.checkCertificateFile(pdf) }

    private suspend fun checked(call: suspend () -> CertificateCheck): CertificateCheck? {
        val result = attempt { call() }
        mutable.update { it.copy(check = result.getOrNull(), notice = result.exceptionOrNull()?.notice) }
        return result.getOrNull()
    }
}

// --- 待遇资格认证 --------------------------------------------------------------

/** Where a pensioner stands, as the screen shows it. */
data class EligibilityCard(
    /** The pensioner; null for the account holder. */
    val personId: String?,
    /** The relative's masked name (为家人认证); null for the account holder. */
    val nameMasked: String?,
    val state: EligibilityState,
    val label: EligibilityLabel,
    val dueBy: LocalDate?,
    /** Days until [dueBy] (0 on the day, negative after it). */
    val daysLeft: Long?,
    val graceUntil: LocalDate?,
    /** Whether the big 去认证 button shows: due, overdue or suspended. */
    val actionNeeded: Boolean,
    val paymentsSuspended: Boolean,
    /** Pension months withheld while suspended, paid together once certified (补发). */
    val withheldMonths: Int,
    /** Whether the last certification was made by a family member on their phone. */
    val certifiedByHelper: Boolean,
    val freshness: List<FreshnessLabel>,
)

fun eligibilityCard(view: EligibilityView, today: LocalDate, personId: String? = null, nameMasked: String? = null): EligibilityCard {
    val status = view.status
    return EligibilityCard(
        personId = personId,
        nameMasked = nameMasked,
        state = status.state,
        label = eligibilityLabel(status.state),
        dueBy = status.dueBy?.let { runCatching { LocalDate.parse(it) }.getOrNull() },
        daysLeft = daysLeft(status.dueBy, today),
        graceUntil = status.graceUntil?.let { runCatching { LocalDate.parse(it) }.getOrNull() },
        actionNeeded = view.actionNeeded,
        paymentsSuspended = status.paymentsSuspended,
        withheldMonths = status.withheldMonths.size,
        certifiedByHelper = status.lastCertification?.helperAccountId != null,
        freshness = freshnessLabels(view.freshness),
    )
}

/**
 * The relatives this account may certify for (为家人认证): mandates in force, held by this account,
 * carrying the eligibility scope.
 */
fun eligibilityMandates(mandates: List<Delegation>, accountId: String?): List<Delegation> =
    mandates.filter { mandate ->
        mandate.status == DelegationStatus.ACTIVE &&
            Scope.ELIGIBILITY in mandate.scopes &&
            (accountId == null || mandate.agentAccountId == accountId)
    }

/**
 * 待遇资格认证: the account holder's own status and, under 为家人认证, each relative this account
 * holds an eligibility mandate for; certifying runs the face check of the pensioner on this phone
 * (a relative's own face: the helper's is refused by the platform).
 */
class EligibilityModel(private val client: EcardClientInterface) {
    data class State(
        val own: EligibilityCard? = null,
        val family: List<EligibilityCard> = emptyList(),
        val busy: Boolean = false,
        /** The pensioner just certified (personId, or "" for oneself). */
        val certified: String? = null,
        val notice: Notice? = null,
    ) {
        /** Whether the 为家人认证 path shows. */
        val familyPath: Boolean get() = family.isNotEmpty()
    }

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()

    private fun today(): LocalDate = chinaDay(client.trustedNow())

    /** Reads the own status and each relative's (offline: as last fetched). */
    suspend fun reload() {
        val own = attempt { client.eligibility(null) }
        val accountId = runCatching { client.session()?.accountId }.getOrNull()
        val mandates = attempt { client.mandates() }.getOrDefault(emptyList())
        val family = eligibilityMandates(mandates, accountId).mapNotNull { mandate ->
            attempt { client.eligibility(mandate.principalPersonId) }.getOrNull()
                ?.let { eligibilityCard(it, today(), mandate.principalPersonId, mandate.principalNameMasked) }
        }
        mutable.update {
            it.copy(
                own = own.getOrNull()?.let { view -> eligibilityCard(view, today()) },
                family = family,
                notice = own.exceptionOrNull()?.notice,
            )
        }
    }

    /**
     * Certifies [personId] (null: oneself) with the face of [pensioner] in front of this phone.
     * Returns whether it was certified.
     */
    suspend fun certify(personId: String?, pensioner: PersonIdentity, face: FaceCheck): Boolean {
        mutable.update { it.copy(busy = true, notice = null, certified = null) }
        val result = attempt { client.certifyEligibility(personId, pensioner, face) }
        if (result.isSuccess) reload()
        mutable.update {
            it.copy(busy = false, certified = if (result.isSuccess) personId ?: "" else null, notice = result.exceptionOrNull()?.notice)
        }
        return result.isSuccess
    }
}

// --- 我的收入 / 待遇发放 and 金融功能挂失 -----------------------------------------

/** One payment as the list shows it. */
data class PaymentRow(
    val paymentId: String,
    val source: PaymentSourceLabel,
    val programme: String,
    val amount: String,
    val payer: String,
    val paidOn: String,
    /** Months a pension payment covers; more than one for arrears paid after a suspension (补发). */
    val months: List<String>,
)

fun paymentRow(payment: Payment): PaymentRow = PaymentRow(
    payment.paymentId, paymentSourceLabel(payment.source), payment.programme, Money.yuan(payment.amountFen), payment.payer, payment.paidOn, payment.months,
)

/** A card's bank function as the screen shows it, with the bank's hotline to call. */
data class AccountRow(
    val cardId: String,
    val bankName: String,
    val accountMasked: String,
    val state: BankFunctionState,
    val hotline: String?,
    /** Whether 金融功能挂失 is offered (the account is active). */
    val canReportLoss: Boolean,
    /** Reported lost here: the bank must still be called at [hotline]. */
    val callBank: Boolean,
    val freshness: List<FreshnessLabel>,
)

fun accountRow(view: FinancialAccountView): AccountRow = with(view.account) {
    AccountRow(
        cardId, bank.name, accountMasked, state, bank.hotline,
        canReportLoss = state == BankFunctionState.ACTIVE,
        callBank = state == BankFunctionState.LOSS_REPORTED,
        freshness = freshnessLabels(view.freshness),
    )
}

/**
 * 我的收入 / 待遇发放: the payments into the card's account (pension, 惠民惠农 subsidies, wages),
 * newest first, page by page; and for each of the holder's cards its financial account, with
 * 金融功能挂失 (through the outbox: queued while offline, sent later) and the bank's hotline.
 */
class MoneyModel(private val client: EcardClientInterface, private val personId: String? = null) {
    data class State(
        val payments: List<PaymentRow> = emptyList(),
        val nextBefore: ULong? = null,
        val accounts: List<AccountRow> = emptyList(),
        /** The financial loss report just made, and where it stands in the outbox. */
        val lossReport: Submission? = null,
        /** The card [lossReport] is for. */
        val lossCardId: String? = null,
        val notice: Notice? = null,
    ) {
        val hasMore: Boolean get() = nextBefore != null

        /** Whether the report waits to be sent (offline): the screen says it will be sent later. */
        val lossQueued: Boolean get() = lossReport != null && lossReport.state != OutboxState.DONE
    }

    private val mutable = MutableStateFlow(State())
    val state: StateFlow<State> = mutable.asStateFlow()
    private var rows: List<Payment> = emptyList()

    /** The holder's own cards (a relative's money is theirs). */
    private fun cardIds(): List<String> =
        runCatching { client.snapshot().cards.filter { it.role == HolderRole.HOLDER }.map { it.cardId } }.getOrDefault(emptyList())

    suspend fun reload() {
        val page = attempt { client.payments(personId, null) }
        val accounts = cardIds().mapNotNull { cardId -> account(cardId) }
        page.getOrNull()?.let { rows = it.payments.distinctBy(Payment::paymentId) }
        mutable.update {
            it.copy(
                payments = rows.map(::paymentRow),
                nextBefore = page.getOrNull()?.nextBefore,
                accounts = accounts,
                notice = page.exceptionOrNull()?.notice,
            )
        }
    }

    private suspend fun account(cardId: String): AccountRow? =
        (attempt { client.financialAccount(cardId) }.getOrNull() ?: runCatching { client.financialAccountCached(cardId) }.getOrNull())
            ?.let(::accountRow)

    /** Appends the next older page. */
    suspend fun loadMore() {
        val before = mutable.value.nextBefore ?: return
        attempt { client.payments(personId, before) }
            .onSuccess { page ->
                rows = (rows + page.payments).distinctBy(Payment::paymentId)
                mutable.update { it.copy(payments = rows.map(::paymentRow), nextBefore = page.nextBefore) }
            }
            .onFailure { error -> mutable.update { it.copy(notice = error.notice) } }
    }

    /**
     * 金融功能挂失 for [cardId]: through the outbox (queued while offline). The account then shows the
     * bank's hotline to call. Returns the submission, or null with a notice.
     */
    suspend fun reportLoss(cardId: String): Submission? {
        val result = attempt { client.reportFinancialLoss(cardId) }
        result.getOrNull()?.let { submission -> mutable.update { it.copy(lossReport = submission, lossCardId = cardId, notice = null) } }
        result.exceptionOrNull()?.let { error -> mutable.update { it.copy(notice = error.notice) } }
        if (result.isSuccess) refreshAccount(cardId)
        return result.getOrNull()
    }

    /** Retries a queued report (e.g. once back online) and re-reads the account. */
    suspend fun retryLossReport(): Submission? {
        val pending = mutable.value.lossReport ?: return null
        val result = attempt { client.retrySubmission(pending.outboxId) }
        mutable.update { it.copy(lossReport = result.getOrNull() ?: pending, notice = result.exceptionOrNull()?.notice) }
        mutable.value.lossCardId?.let { refreshAccount(it) }
        return result.getOrNull()
    }

    /** The hotline of [cardId]'s bank, from the account last fetched (also offline). */
    fun hotline(cardId: String): String? =
        mutable.value.accounts.firstOrNull { it.cardId == cardId }?.hotline
            ?: runCatching { client.financialAccountCached(cardId)?.account?.bank?.hotline }.getOrNull()

    private suspend fun refreshAccount(cardId: String) {
        val row = account(cardId) ?: return
        mutable.update { state ->
            val others = state.accounts.filter { it.cardId != cardId }
            state.copy(accounts = (others + row).sortedBy { it.cardId })
        }
    }
}
