// Enrolment (开通电子社保卡), the PIN pad and the device list. Each lays out
// a plain-Kotlin model of the library (EnrolmentModel, PinPad,
// DevicesModel); what is allowed and what an error says come from the core.
// Sizes follow the display mode: in elder mode body text of at least 18 sp
// and touch targets of at least 60 dp (the PIN-pad keys are that large in
// either mode), and every message is inline.
package cn.ecard.app

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import cn.ecard.ffi.PersonIdentity
import cn.ecard.models.EnrolmentModel
import cn.ecard.models.PinPad
import kotlinx.coroutines.launch

/**
 * Six dots and a 4×3 pad of large keys. Calls [onPin] with the PIN once six
 * digits are in (the pad is emptied then); the digits never leave [pad]
 * before that.
 */
@Composable
fun PinPadView(title: String, pad: PinPad, onPin: (String) -> Unit) {
    val display = LocalDisplay.current
    val state by pad.state.collectAsStateWithLifecycle()
    val entered = stringResource(R.string.pin_entered, state.entered, pad.length)
    val delete = stringResource(R.string.pin_delete)
    Column(Modifier.fillMaxWidth(), horizontalAlignment = Alignment.CenterHorizontally, verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(title, style = MaterialTheme.typography.titleMedium)
        Row(
            horizontalArrangement = Arrangement.spacedBy(12.dp),
            modifier = Modifier.semantics { contentDescription = entered },
        ) {
            repeat(pad.length) { index ->
                val filled = index < state.entered
                Spacer(Modifier.size(20.dp).background(if (filled) Color.Black else Color(0xFFCCCCCC), CircleShape))
            }
        }
        PinPad.KEYS.chunked(3).forEach { row ->
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                row.forEach { key ->
                    if (key.isEmpty()) {
                        Spacer(Modifier.size(display.pinKeyDp.dp))
                    } else {
                        OutlinedButton(
                            onClick = {
                                if (key == "⌫") pad.delete() else pad.press(key[0])
                                pad.take()?.let(onPin)
                            },
                            modifier = Modifier.size(display.pinKeyDp.dp)
                                .semantics { contentDescription = if (key == "⌫") delete else key },
                        ) {
                            Text(key, fontSize = display.pinDigitSp.sp)
                        }
                    }
                }
            }
        }
    }
}

/**
 * Asks for the PIN before an act: the pad, the act's title and a cancel
 * button. [act] runs with the PIN once entered.
 */
@Composable
fun PinPrompt(title: String, onCancel: () -> Unit, act: (String) -> Unit) {
    val pad = remember { PinPad() }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        PinPadView(title, pad, act)
        BigButton(stringResource(R.string.cancel)) {
            pad.clear()
            onCancel()
        }
    }
}

/** Enrolment: identity → face check → the texted code and, for a new account, the PIN. */
@Composable
fun EnrolmentScreen(app: EcardViewModel, model: EnrolmentModel) {
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var name by remember { mutableStateOf("") }
    var idNumber by remember { mutableStateOf("") }
    var code by remember { mutableStateOf("") }
    val pad = remember { PinPad() }
    LaunchedEffect(state.step) {
        if (state.step == EnrolmentModel.Step.DONE) app.reload()
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { Text(stringResource(R.string.enrol_title), style = MaterialTheme.typography.titleLarge) }
        item { NoticeLine(state.notice) }
        when (state.step) {
            EnrolmentModel.Step.IDENTITY -> item {
                OutlinedTextField(name, { name = it }, label = { Text(stringResource(R.string.name)) }, singleLine = true, modifier = Modifier.fillMaxWidth())
                OutlinedTextField(
                    idNumber, { idNumber = it }, label = { Text(stringResource(R.string.id_number)) }, singleLine = true,
                    isError = state.notice?.field == "id_number", modifier = Modifier.fillMaxWidth(),
                )
                BigButton(stringResource(if (state.busy) R.string.please_wait else R.string.next)) {
                    scope.launch { model.begin(PersonIdentity("resident_id", idNumber, name)) }
                }
            }
            EnrolmentModel.Step.FACE_CHECK -> item {
                Text(stringResource(R.string.enrol_face_hint), style = MaterialTheme.typography.bodyLarge)
                BigButton(stringResource(if (state.busy) R.string.enrol_face_checking else R.string.enrol_face_start)) { scope.launch { model.checkFace(app.faceCheck) } }
                BigButton(stringResource(R.string.enrol_back_to_edit)) { model.restart() }
            }
            EnrolmentModel.Step.CODE_AND_PIN -> {
                val progress = state.progress
                item {
                    progress?.codeSentTo?.let { Text(stringResource(R.string.enrol_code_sent_to, it), style = MaterialTheme.typography.bodyLarge) }
                    OutlinedTextField(
                        code, { code = it.filter(Char::isDigit).take(6) }, label = { Text(stringResource(R.string.one_time_code)) }, singleLine = true,
                        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                        isError = state.notice?.field == "one_time_code", modifier = Modifier.fillMaxWidth(),
                    )
                }
                if (progress?.pinRequired == true) {
                    // A new account: the six-digit PIN is set with the code.
                    item {
                        PinPadView(stringResource(R.string.enrol_set_pin), pad) { pin -> scope.launch { model.complete(code, pin) } }
                    }
                } else {
                    item { BigButton(stringResource(if (state.busy) R.string.please_wait else R.string.done)) { scope.launch { model.complete(code, null) } } }
                }
                if (progress?.approvalPossible == true) {
                    item {
                        Text(stringResource(R.string.enrol_approval_hint), style = MaterialTheme.typography.bodyLarge)
                        BigButton(stringResource(R.string.enrol_approved_elsewhere)) { scope.launch { model.complete(null, null) } }
                    }
                }
            }
            EnrolmentModel.Step.DONE -> item { Text(stringResource(R.string.enrol_done), style = MaterialTheme.typography.titleLarge) }
        }
    }
}

/** An act waiting for the PIN: what the prompt says and what to do with the PIN. */
class PinAct(val title: String, val act: suspend (String) -> Unit)

/** The devices where this e-card is signed in, with unlinking, and new devices waiting for approval. */
@Composable
fun DevicesScreen(screens: Screens, onBack: () -> Unit) {
    val model = screens.devices
    val state by model.state.collectAsStateWithLifecycle()
    val scope = rememberCoroutineScope()
    var asking by remember { mutableStateOf<PinAct?>(null) }
    LaunchedEffect(Unit) { model.reload() }
    asking?.let { pending ->
        PinPrompt(pending.title, onCancel = { asking = null }) { pin ->
            asking = null
            scope.launch { pending.act(pin) }
        }
        return
    }
    LazyColumn(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        item { BigButton(stringResource(R.string.back)) { onBack() } }
        item { NoticeLine(state.notice) }
        if (state.requests.isNotEmpty()) item { Text(stringResource(R.string.devices_waiting), style = MaterialTheme.typography.titleLarge) }
        items(state.requests, key = { it.enrolmentId }) { request ->
            val title = stringResource(R.string.devices_approve_pin)
            Column(Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                Text(request.deviceName, style = MaterialTheme.typography.titleMedium)
                BigButton(stringResource(R.string.devices_approve)) {
                    asking = PinAct(title) { pin: String -> model.approve(request.enrolmentId, pin) }
                }
            }
        }
        item { Text(stringResource(R.string.devices_signed_in), style = MaterialTheme.typography.titleLarge) }
        items(state.devices, key = { it.deviceId }) { device ->
            val title = stringResource(R.string.devices_unlink_pin)
            Column(Modifier.fillMaxWidth().heightIn(min = LocalDisplay.current.touchTargetDp.dp)) {
                Text(if (device.current) stringResource(R.string.devices_this_device, device.name) else device.name, style = MaterialTheme.typography.titleMedium)
                if (!device.current) {
                    BigButton(stringResource(R.string.devices_unlink)) {
                        asking = PinAct(title) { pin: String -> model.unlink(device.deviceId, pin) }
                    }
                }
            }
        }
    }
}
