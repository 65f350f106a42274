// 出生一件事: the parent's one form (the hospital's birth certificate, the
// household registration and the newborn's card together) and the births
// filed, each with ONE progress line whose labels come from the core
// (reached steps with their day). Where the region's rules do not take it
// in one submission the form is replaced by what to do instead; where they
// exempt newborns from the card photo, the screen says so instead of asking
// for one.
package cn.ecard.app

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
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
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import cn.ecard.ffi.BirthFlow
import cn.ecard.ffi.BirthForm
import cn.ecard.ffi.Delivery
import cn.ecard.ffi.OutletService
import cn.ecard.ffi.Sex
import kotlinx.coroutines.launch

/** A row of choice buttons, the chosen one marked. */
@Composable
private fun <T> Choices(choices: List<Pair<T, String>>, chosen: T, onChoose: (T) -> Unit) {
    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        choices.forEach { (choice, label) ->
            Button(onClick = { onChoose(choice) }, modifier = Modifier.heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                Text(if (choice == chosen) "● $label" else label)
            }
        }
    }
}

/** One birth: the child and ONE progress line, reached steps with their day. */
@Composable
fun BirthRow(flow: BirthFlow) {
    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        Text("${flow.birth.childNameMasked} ${flow.birth.birthDate}", style = MaterialTheme.typography.titleMedium)
        Text(
            flow.stages.joinToString(" → ") { stage -> stage.at?.let { "✓ ${stage.label} ${day(it)}" } ?: stage.label },
            style = MaterialTheme.typography.bodyLarge,
        )
    }
}

@Composable
fun BirthScreen(screens: Screens, onBack: () -> Unit) {
    val model = screens.births
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    val rules = remember { runCatching { screens.client.rules() }.getOrNull() }
    val photoExemptUnderAge = remember { model.photoExemptUnderAge() }
    var certificate by remember { mutableStateOf("") }
    var childName by remember { mutableStateOf("") }
    var sex by remember { mutableStateOf(Sex.FEMALE) }
    var birthDate by remember { mutableStateOf("") }
    var householdRegion by remember { mutableStateOf("") }
    var householdAddress by remember { mutableStateOf("") }
    var bank by remember { mutableStateOf(rules?.banks?.firstOrNull()?.code ?: "icbc") }
    var phone by remember { mutableStateOf("") }
    var byMail by remember { mutableStateOf(false) }
    var mailAddress by remember { mutableStateOf("") }
    var photo by remember { mutableStateOf<ByteArray?>(null) }
    val pickPhoto = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        photo = uri?.let { context.contentResolver.openInputStream(it)?.use { stream -> stream.readBytes() } }
    }
    val outlet = remember { screens.outlets().near(28.6829, 115.8579, OutletService.CARD_PICKUP, 1).getOrNull()?.firstOrNull() }
    LaunchedEffect(Unit) { model.reload() }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { Text(stringResource(R.string.birth_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        if (state.births.isNotEmpty()) {
            item { Text(stringResource(R.string.birth_filed), style = MaterialTheme.typography.titleMedium) }
            items(state.births, key = { it.birth.birthId }) { flow -> BirthRow(flow) }
        }
        if (!model.oneSubmission()) {
            // This region: the birth is registered at the household office first, then the card applied for.
            item { Text(stringResource(R.string.birth_not_one_submission), style = MaterialTheme.typography.bodyLarge) }
            return@LazyColumn
        }
        item {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedTextField(certificate, { certificate = it }, label = { Text(stringResource(R.string.family_birth_certificate)) }, modifier = Modifier.fillMaxWidth())
                OutlinedTextField(childName, { childName = it }, label = { Text(stringResource(R.string.birth_child_name)) }, modifier = Modifier.fillMaxWidth())
                Text(stringResource(R.string.birth_sex), style = MaterialTheme.typography.bodyLarge)
                Choices(listOf(Sex.MALE to stringResource(R.string.birth_sex_male), Sex.FEMALE to stringResource(R.string.birth_sex_female)), sex) { sex = it }
                OutlinedTextField(birthDate, { birthDate = it }, label = { Text(stringResource(R.string.birth_date)) }, modifier = Modifier.fillMaxWidth())
                OutlinedTextField(
                    householdRegion,
                    { householdRegion = it },
                    label = { Text(stringResource(R.string.birth_household_region)) },
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                    modifier = Modifier.fillMaxWidth(),
                )
                OutlinedTextField(householdAddress, { householdAddress = it }, label = { Text(stringResource(R.string.birth_household_address)) }, modifier = Modifier.fillMaxWidth())
                Text(stringResource(R.string.birth_bank), style = MaterialTheme.typography.bodyLarge)
                Choices(rules?.banks.orEmpty().map { it.code to it.name }, bank) { bank = it }
                OutlinedTextField(
                    phone,
                    { phone = it },
                    label = { Text(stringResource(R.string.phone)) },
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone),
                    modifier = Modifier.fillMaxWidth(),
                )
                Text(stringResource(R.string.birth_delivery), style = MaterialTheme.typography.bodyLarge)
                Choices(listOf(false to stringResource(R.string.birth_pickup), true to stringResource(R.string.birth_mail)), byMail) { byMail = it }
                if (byMail) {
                    OutlinedTextField(mailAddress, { mailAddress = it }, label = { Text(stringResource(R.string.birth_mail_address)) }, modifier = Modifier.fillMaxWidth())
                } else {
                    outlet?.let { Text(stringResource(R.string.apply_outlet, it.name), style = MaterialTheme.typography.bodyLarge) }
                }
                if (photoExemptUnderAge > 0u) {
                    Text(stringResource(R.string.birth_photo_exempt, photoExemptUnderAge.toInt()), style = MaterialTheme.typography.bodyLarge)
                } else {
                    BigButton(stringResource(if (photo == null) R.string.apply_choose_photo else R.string.apply_photo_chosen)) {
                        pickPhoto.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
                    }
                }
                BigButton(stringResource(R.string.birth_submit)) {
                    val delivery = if (byMail) Delivery.Mail(mailAddress, phone) else Delivery.Pickup(outlet?.id ?: "")
                    val form = BirthForm(
                        birthCertificate = certificate.trim(),
                        childName = childName.trim(),
                        sex = sex,
                        birthDate = birthDate.trim(),
                        otherParent = null,
                        householdRegion = householdRegion.trim(),
                        householdAddress = householdAddress.trim(),
                        bank = bank,
                        phone = phone.trim(),
                        delivery = delivery,
                        photoJpeg = if (photoExemptUnderAge > 0u) null else photo,
                    )
                    scope.launch { model.register(form) }
                }
            }
        }
    }
}
