// Social-insurance self-service screens: 权益记录 (by year and insurance; a
// year opens its months), 参保证明 (request, list, open or share through the
// platform's share sheet, check), 待遇资格认证 (with 为家人认证 for a relative
// under an eligibility mandate, by the app's face check), 我的收入 (payments)
// and 金融功能挂失 with the bank's hotline. Each reads a model of
// cn.ecard.models; the words are the app's string resources.
package cn.ecard.app

import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.core.content.FileProvider
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import cn.ecard.ffi.BankFunctionState
import cn.ecard.ffi.CertificateKind
import cn.ecard.ffi.CertificateState
import cn.ecard.ffi.Insurance
import cn.ecard.ffi.PersonIdentity
import cn.ecard.models.AccountRow
import cn.ecard.models.CertificateRow
import cn.ecard.models.CertificatesModel
import cn.ecard.models.EligibilityCard
import cn.ecard.models.EligibilityLabel
import cn.ecard.models.EligibilityModel
import cn.ecard.models.FreshnessLabel
import cn.ecard.models.InsuranceLabel
import cn.ecard.models.MoneyModel
import cn.ecard.models.PaymentRow
import cn.ecard.models.PaymentSourceLabel
import cn.ecard.models.RecordsModel
import cn.ecard.models.YearRow
import kotlinx.coroutines.launch
import java.io.File

/** Which self-service screen is open. */
enum class SelfService { RECORDS, CERTIFICATES, ELIGIBILITY, PAYMENTS, FINANCIAL_LOSS }

/** The title of a self-service screen, also its entry button. */
fun selfServiceName(screen: SelfService): Int = when (screen) {
    SelfService.RECORDS -> R.string.records_open
    SelfService.CERTIFICATES -> R.string.certificates_open
    SelfService.ELIGIBILITY -> R.string.eligibility_open
    SelfService.PAYMENTS -> R.string.payments_open
    SelfService.FINANCIAL_LOSS -> R.string.financial_open
}

fun freshnessName(label: FreshnessLabel): Int = when (label) {
    FreshnessLabel.OFFLINE -> R.string.self_freshness_offline
    FreshnessLabel.STALE -> R.string.self_freshness_stale
}

fun insuranceName(label: InsuranceLabel): Int = when (label) {
    InsuranceLabel.PENSION -> R.string.insurance_pension
    InsuranceLabel.MEDICAL -> R.string.insurance_medical
    InsuranceLabel.UNEMPLOYMENT -> R.string.insurance_unemployment
    InsuranceLabel.WORK_INJURY -> R.string.insurance_work_injury
}

fun eligibilityName(label: EligibilityLabel): Int = when (label) {
    EligibilityLabel.NOT_REQUIRED -> R.string.eligibility_state_not_required
    EligibilityLabel.CERTIFIED -> R.string.eligibility_state_certified
    EligibilityLabel.DUE -> R.string.eligibility_state_due
    EligibilityLabel.OVERDUE -> R.string.eligibility_state_overdue
    EligibilityLabel.SUSPENDED -> R.string.eligibility_state_suspended
}

fun paymentSourceName(label: PaymentSourceLabel): Int = when (label) {
    PaymentSourceLabel.PENSION -> R.string.payment_source_pension
    PaymentSourceLabel.SUBSIDY -> R.string.payment_source_subsidy
    PaymentSourceLabel.WAGES -> R.string.payment_source_wages
}

/** The entries of the self-service screens, as big buttons. */
@Composable
fun SelfServiceButtons(onOpen: (SelfService) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.self_service_title), style = MaterialTheme.typography.titleLarge)
        SelfService.entries.forEach { screen -> BigButton(stringResource(selfServiceName(screen))) { onOpen(screen) } }
    }
}

/** The open self-service screen. */
@Composable
fun SelfServiceScreen(app: EcardViewModel, screens: Screens, screen: SelfService, onBack: () -> Unit) {
    when (screen) {
        SelfService.RECORDS -> RecordsScreen(screens, onBack)
        SelfService.CERTIFICATES -> CertificatesScreen(screens, onBack)
        SelfService.ELIGIBILITY -> EligibilityScreen(app, screens, onBack)
        SelfService.PAYMENTS -> MoneyScreen(screens, lossOnly = false, onBack)
        SelfService.FINANCIAL_LOSS -> MoneyScreen(screens, lossOnly = true, onBack)
    }
}

/** 离线 / 可能不是最新, in place. */
@Composable
fun FreshnessLine(labels: List<FreshnessLabel>) {
    labels.forEach { label ->
        Text(stringResource(freshnessName(label)), color = Color(0xFF8A5300), style = MaterialTheme.typography.bodyLarge)
    }
}

/** 权益记录: newest year first; a year opens its months, of all insurances or one. */
@Composable
fun RecordsScreen(screens: Screens, onBack: () -> Unit) {
    val model = remember { RecordsModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { model.reload() }
    val open = state.openYear
    if (open != null) {
        LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            item { BigButton(stringResource(R.string.back)) { model.open(null) } }
            item { Text(stringResource(R.string.records_year, open), style = MaterialTheme.typography.titleLarge) }
            item {
                // One insurance or all: one big button each.
                BigButton(stringResource(R.string.records_all_insurances)) { model.open(open, null) }
                state.years.firstOrNull { it.year == open }?.insurances?.forEach { line ->
                    BigButton(stringResource(insuranceName(line.label))) { model.open(open, line.insurance) }
                }
            }
            items(state.months, key = { "${it.month}-${it.insurance}" }) { month ->
                Column(Modifier.fillMaxWidth()) {
                    val paid = stringResource(if (month.paid) R.string.records_month_paid else R.string.records_month_owed)
                    Text("${month.month} · ${stringResource(insuranceName(month.insurance))} · $paid", style = MaterialTheme.typography.titleMedium)
                    month.employerName?.let { Text(it, style = MaterialTheme.typography.bodyLarge) }
                    Text(stringResource(R.string.records_month_line, month.base, month.personal, month.employer), style = MaterialTheme.typography.bodyLarge)
                }
            }
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(R.string.records_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        item { FreshnessLine(state.freshness) }
        state.view?.let { view -> item { Text(stringResource(R.string.records_through, view.through), style = MaterialTheme.typography.bodyLarge) } }
        state.pensionMonthly?.let { item { Text(stringResource(R.string.records_pension, it), style = MaterialTheme.typography.titleMedium) } }
        if (state.view != null && state.years.isEmpty()) item { Text(stringResource(R.string.records_none), style = MaterialTheme.typography.bodyLarge) }
        items(state.years, key = YearRow::year) { year ->
            Column(
                Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp).clickable { model.open(year.year) },
            ) {
                Text(stringResource(R.string.records_year, year.year), style = MaterialTheme.typography.titleMedium)
                Text(stringResource(R.string.records_year_totals, year.personal, year.employer), style = MaterialTheme.typography.bodyLarge)
                year.insurances.forEach { line ->
                    Text(stringResource(R.string.records_insurance_months, stringResource(insuranceName(line.label)), line.months), style = MaterialTheme.typography.bodyLarge)
                }
                if (year.monthsOwed > 0) Text(stringResource(R.string.records_owed, year.monthsOwed), color = Color(0xFFB00020), style = MaterialTheme.typography.bodyLarge)
            }
        }
    }
}

/** Hands the core's plain copy of a certificate to the platform's share sheet (also opens it). */
fun shareCertificate(context: android.content.Context, path: String, title: String) {
    val uri: Uri = FileProvider.getUriForFile(context, "${context.packageName}.certificates", File(path))
    val send = Intent(Intent.ACTION_SEND)
        .setType("application/pdf")
        .putExtra(Intent.EXTRA_STREAM, uri)
        .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    context.startActivity(Intent.createChooser(send, title))
}

/** 参保证明: request one, list them (valid until, the check code), open or share, and check one by its code. */
@Composable
fun CertificatesScreen(screens: Screens, onBack: () -> Unit) {
    val model = remember { CertificatesModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    val shareTitle = stringResource(R.string.certificates_share_title)
    var code by remember { mutableStateOf("") }
    LaunchedEffect(Unit) { model.reload() }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(R.string.certificates_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        item {
            BigButton(stringResource(R.string.certificates_request_participation)) { scope.launch { model.request(CertificateKind.PARTICIPATION) } }
            BigButton(stringResource(R.string.certificates_request_contributions)) { scope.launch { model.request(CertificateKind.CONTRIBUTION_RECORD, Insurance.PENSION) } }
        }
        if (state.certificates.isEmpty()) item { Text(stringResource(R.string.certificates_none), style = MaterialTheme.typography.bodyLarge) }
        items(state.certificates, key = CertificateRow::certificateId) { row ->
            Column(Modifier.fillMaxWidth()) {
                val kind = stringResource(
                    if (row.kind == CertificateKind.PARTICIPATION) R.string.certificates_kind_participation else R.string.certificates_kind_contributions,
                )
                val insurance = row.insurance?.let { " · " + stringResource(insuranceName(it)) } ?: ""
                val years = if (row.fromYear != null || row.toYear != null) " · ${row.fromYear ?: ""}–${row.toYear ?: ""}" else ""
                Text(kind + insurance + years, style = MaterialTheme.typography.titleMedium)
                Text(stringResource(R.string.certificates_code, row.code), style = MaterialTheme.typography.bodyLarge)
                Text(
                    if (row.expired) stringResource(R.string.certificates_expired) else stringResource(R.string.certificates_valid_until, row.validUntil.toString()),
                    style = MaterialTheme.typography.bodyLarge,
                )
                row.requestedBy?.let { Text(stringResource(R.string.certificates_by_proxy, it), style = MaterialTheme.typography.bodyLarge) }
                BigButton(stringResource(R.string.certificates_share)) {
                    scope.launch { model.file(row.certificateId)?.let { path -> shareCertificate(context, path, shareTitle) } }
                }
            }
        }
        item {
            OutlinedTextField(code, { code = it }, label = { Text(stringResource(R.string.certificates_check_code)) }, modifier = Modifier.fillMaxWidth())
            BigButton(stringResource(R.string.certificates_check)) { scope.launch { model.check(code) } }
            state.check?.let { check ->
                Text(
                    when (check.state) {
                        CertificateState.VALID -> stringResource(R.string.certificates_check_valid, check.nameMasked ?: "")
                        CertificateState.EXPIRED -> stringResource(R.string.certificates_check_expired)
                        CertificateState.UNKNOWN -> stringResource(R.string.certificates_check_unknown)
                    },
                    style = MaterialTheme.typography.titleMedium,
                )
            }
        }
    }
}

/** One pensioner's standing: the state in words, the due date and days left, what is withheld. */
@Composable
fun EligibilityCardView(card: EligibilityCard) {
    Column(Modifier.fillMaxWidth()) {
        val who = card.nameMasked?.let { "$it · " } ?: ""
        Text(who + stringResource(eligibilityName(card.label)), style = MaterialTheme.typography.titleMedium)
        card.dueBy?.let { Text(stringResource(R.string.eligibility_due_by, it.toString()), style = MaterialTheme.typography.bodyLarge) }
        card.daysLeft?.let { days ->
            Text(
                if (days >= 0) stringResource(R.string.eligibility_days_left, days.toInt()) else stringResource(R.string.eligibility_days_over, (-days).toInt()),
                color = if (card.actionNeeded) Color(0xFFB00020) else Color.Unspecified,
                style = MaterialTheme.typography.bodyLarge,
            )
        }
        if (card.withheldMonths > 0) Text(stringResource(R.string.eligibility_withheld, card.withheldMonths), style = MaterialTheme.typography.bodyLarge)
        if (card.certifiedByHelper) Text(stringResource(R.string.eligibility_by_helper), style = MaterialTheme.typography.bodyLarge)
        FreshnessLine(card.freshness)
    }
}

/**
 * 待遇资格认证: one's own standing and, for each relative this account holds an eligibility mandate
 * for, theirs with 为家人认证: the relative faces this phone and the app's face check runs for them.
 */
@Composable
fun EligibilityScreen(app: EcardViewModel, screens: Screens, onBack: () -> Unit) {
    val model = remember { EligibilityModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    // Who is being certified: oneself, or a relative (为家人认证); their name and ID number are entered here.
    var certifying by remember { mutableStateOf<EligibilityCard?>(null) }
    var name by remember { mutableStateOf("") }
    var idNumber by remember { mutableStateOf("") }
    LaunchedEffect(Unit) { model.reload() }
    certifying?.let { pensioner ->
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
            Text(stringResource(if (pensioner.personId == null) R.string.eligibility_certify else R.string.eligibility_for_family), style = MaterialTheme.typography.titleLarge)
            NoticeLine(state.notice)
            if (pensioner.personId != null) Text(stringResource(R.string.eligibility_family_hint), style = MaterialTheme.typography.bodyLarge)
            OutlinedTextField(name, { name = it }, label = { Text(stringResource(R.string.name)) }, modifier = Modifier.fillMaxWidth())
            OutlinedTextField(idNumber, { idNumber = it }, label = { Text(stringResource(R.string.id_number)) }, modifier = Modifier.fillMaxWidth())
            val title = if (pensioner.personId == null) stringResource(R.string.eligibility_certify) else stringResource(R.string.eligibility_certify_for, pensioner.nameMasked ?: "")
            BigButton(title) {
                scope.launch {
                    // The face in front of this phone must be the pensioner's: the platform refuses anyone else's.
                    val identity = PersonIdentity("resident_id", idNumber.trim(), name.trim())
                    if (model.certify(pensioner.personId, identity, app.faceCheck)) certifying = null
                }
            }
            BigButton(stringResource(R.string.cancel)) { certifying = null }
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(R.string.eligibility_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        if (state.certified != null) item { Text(stringResource(R.string.eligibility_done), style = MaterialTheme.typography.titleMedium) }
        state.own?.let { own ->
            item {
                EligibilityCardView(own)
                if (own.actionNeeded) {
                    BigButton(stringResource(R.string.eligibility_certify)) {
                        // One's own number, filled in; the name is typed as on the ID card.
                        name = ""
                        idNumber = runCatching { screens.client.revealIdNumber() }.getOrDefault("")
                        certifying = own
                    }
                }
            }
        }
        if (state.familyPath) {
            item { Text(stringResource(R.string.eligibility_for_family), style = MaterialTheme.typography.titleLarge) }
            items(state.family, key = { it.personId ?: "" }) { relative ->
                Column {
                    EligibilityCardView(relative)
                    BigButton(stringResource(R.string.eligibility_certify_for, relative.nameMasked ?: "")) {
                        name = ""
                        idNumber = ""
                        certifying = relative
                    }
                }
            }
        }
    }
}

/** A card's bank function: its state, 金融功能挂失, and the bank's hotline to call. */
@Composable
fun AccountRowView(account: AccountRow, queued: Boolean, onReport: () -> Unit, onRetry: () -> Unit) {
    val context = LocalContext.current
    Column(Modifier.fillMaxWidth(), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(stringResource(R.string.financial_account, account.bankName, account.accountMasked), style = MaterialTheme.typography.titleMedium)
        Text(
            stringResource(
                when (account.state) {
                    BankFunctionState.ACTIVE -> R.string.financial_state_active
                    BankFunctionState.LOSS_REPORTED -> R.string.financial_state_loss_reported
                    BankFunctionState.CLOSED -> R.string.financial_state_closed
                },
            ),
            style = MaterialTheme.typography.bodyLarge,
        )
        FreshnessLine(account.freshness)
        if (queued) {
            Text(stringResource(R.string.financial_loss_queued), style = MaterialTheme.typography.bodyLarge)
            BigButton(stringResource(R.string.financial_loss_retry)) { onRetry() }
        } else if (account.canReportLoss) {
            Text(stringResource(R.string.financial_loss_explain), style = MaterialTheme.typography.bodyLarge)
            BigButton(stringResource(R.string.financial_loss_report)) { onReport() }
        }
        account.hotline?.let { hotline ->
            Text(stringResource(R.string.financial_hotline, hotline), style = MaterialTheme.typography.titleMedium)
            if (account.callBank || queued) {
                BigButton(stringResource(R.string.financial_call, hotline)) {
                    context.startActivity(Intent(Intent.ACTION_DIAL, Uri.parse("tel:$hotline")))
                }
            }
        }
    }
}

/** 我的收入 / 待遇发放 (payments, newest first) or, with [lossOnly], 金融功能挂失 of the holder's cards. */
@Composable
fun MoneyScreen(screens: Screens, lossOnly: Boolean, onBack: () -> Unit) {
    val model = remember { MoneyModel(screens.client) }
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { model.reload() }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(if (lossOnly) R.string.financial_open else R.string.payments_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        items(state.accounts, key = AccountRow::cardId) { account ->
            AccountRowView(
                account,
                queued = state.lossQueued && state.lossCardId == account.cardId,
                onReport = { scope.launch { model.reportLoss(account.cardId) } },
                onRetry = { scope.launch { model.retryLossReport() } },
            )
        }
        if (!lossOnly) {
            if (state.payments.isEmpty()) item { Text(stringResource(R.string.payments_none), style = MaterialTheme.typography.bodyLarge) }
            items(state.payments, key = PaymentRow::paymentId) { payment ->
                Column(Modifier.fillMaxWidth()) {
                    Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                        Text(stringResource(paymentSourceName(payment.source)), style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
                        Text(payment.amount, style = MaterialTheme.typography.titleMedium)
                    }
                    Text(payment.programme, style = MaterialTheme.typography.bodyLarge)
                    Text(stringResource(R.string.payments_paid, payment.paidOn, payment.payer), style = MaterialTheme.typography.bodyLarge)
                    if (payment.months.size > 1) {
                        Text(stringResource(R.string.payments_arrears, payment.months.joinToString(stringResource(R.string.list_separator))), style = MaterialTheme.typography.bodyLarge)
                    }
                }
            }
            if (state.hasMore) item { BigButton(stringResource(R.string.payments_more)) { scope.launch { model.loadMore() } } }
        }
    }
}
