//! `ecard demo`: the main job. For now it walks the e-card code journey with
//! an in-process issuer; later parts of the journey (platform, workflows)
//! join as they land.

use std::process::ExitCode;

use clap::Args;
use ecard_credential::{
    KeyStore, Locale, PresentationRequest, Purpose, QrMatrix, SoftwareKeyStore, StatusList, Suite,
    Verifier, VerifierPolicy, VerifyError, present,
};

use crate::output::{SampleIssuer, now};

#[derive(Args)]
pub struct DemoArgs {
    /// Do not draw QR symbols in the terminal.
    #[arg(long)]
    no_qr: bool,
}

struct Narrator {
    step: u32,
}

impl Narrator {
    fn step(&mut self, zh: &str, en: &str) {
        self.step += 1;
        println!("\n[{}] {zh}\n    {en}", self.step);
    }
}

pub fn run(args: &DemoArgs) -> Result<ExitCode, String> {
    let now = now();
    let mut narrator = Narrator { step: 0 };
    let error = |error: &dyn std::fmt::Display| error.to_string();

    narrator.step(
        "手机在密钥库中生成设备密钥（P-256，私钥不出密钥库）",
        "The phone makes a device key in its key store (P-256; the private key never leaves it).",
    );
    let key_store = SoftwareKeyStore::new();
    key_store
        .generate_key("device", Suite::EcdsaP256)
        .map_err(|e| error(&e))?;

    narrator.step(
        "发卡平台签发 48 小时设备凭证：随机化名、状态位索引、优待类别、用途",
        "The issuer signs a 48-hour device credential: random handle, status index, concession class, purposes.",
    );
    let issuer = SampleIssuer::new(now)?;
    let status_index = 4_242;
    let credential =
        issuer.issue_for(&key_store, "device", Purpose::Transport, status_index, now)?;
    println!(
        "    handle {} · valid until {} · {} bytes",
        credential.claims.handle,
        credential.claims.not_after(),
        credential.as_bytes().len()
    );

    narrator.step(
        "离线生成乘车码（60 秒有效）",
        "The phone makes a transport code offline (valid for 60 s).",
    );
    let make_code = |counter: u32, at: u64| -> Result<String, String> {
        let request = PresentationRequest {
            purpose: Purpose::Transport,
            issued_at: at,
            counter,
        };
        Ok(present(&credential, &request, &key_store, "device")
            .map_err(|e| e.to_string())?
            .to_code())
    };
    let code = make_code(1, now)?;
    let matrix = QrMatrix::encode(&code).map_err(|e| error(&e))?;
    if !args.no_qr {
        print!("{}", matrix.to_terminal());
    }
    println!("    {code}");
    println!(
        "    {} characters · QR version {} · ECC {}",
        code.len(),
        matrix.version(),
        matrix.ecc()
    );

    narrator.step(
        "公交闸机离线验码：只得知“有效、优待类别”",
        "The bus gate verifies offline and learns only: valid, concession class.",
    );
    let mut gate = Verifier::new(
        &issuer.trust_list,
        VerifierPolicy::for_purposes(&[Purpose::Transport]),
    )
    .map_err(|e| error(&e))?;
    let verified = gate.verify(&code, now + 3).map_err(|e| describe(&e))?;
    println!("    VALID · {:?}", verified.disclosure);

    narrator.step(
        "同一个码再刷一次：重放被拒",
        "The same code again: refused as a replay.",
    );
    show_refusal(gate.verify(&code, now + 4))?;

    narrator.step(
        "截图两分钟后再用：码已过期",
        "A screenshot used two minutes later: the code has expired.",
    );
    let old = make_code(2, now)?;
    show_refusal(gate.verify(&old, now + 120))?;

    narrator.step("临时挂失：状态列表置位，闸机更新后新码被拒", "Temporary loss report: the status bit is set; after the gate's update a fresh code is refused.");
    let mut list = StatusList::new(0, 65_536).map_err(|e| error(&e))?;
    list.set_revoked(status_index, true)
        .map_err(|e| error(&e))?;
    list.sequence = 1;
    list.issued_at = now;
    list.valid_until = now + 86_400;
    let signed = list.sign(&issuer.key).map_err(|e| error(&e))?;
    gate.install_status_list(&signed, now + 5)
        .map_err(|e| error(&e))?;
    println!(
        "    status list: {} bits, {} bytes signed and compressed",
        list.bit_count(),
        signed.len()
    );
    let fresh = make_code(3, now + 5)?;
    show_refusal(gate.verify(&fresh, now + 6))?;

    println!("\nDone: issued, shown, verified, and refused on replay, expiry and loss.");
    Ok(ExitCode::SUCCESS)
}

fn describe(error: &VerifyError) -> String {
    format!("{}: {}", error.code(), error.message(Locale::En))
}

fn show_refusal<T>(result: Result<T, VerifyError>) -> Result<(), String> {
    match result {
        Ok(_) => Err("the demo expected a refusal, but the code was accepted".to_owned()),
        Err(error) => {
            println!(
                "    REFUSED {} · {} · {}",
                error.code(),
                error.message(Locale::ZhCn),
                error.message(Locale::En)
            );
            Ok(())
        }
    }
}
