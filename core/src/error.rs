//! Errors of the client core: rich enums inside, a stable `code`, a UI
//! [`ErrorCategory`] and a plain-language message in zh-CN and en for every
//! error a person can meet.

use ecard_api::problem::ProblemCode;
use ecard_credential::{KeyStoreError, Locale, PresentError};
use ecard_documents::DocumentError;

/// Storage failures.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    /// The disk is full; nothing was written.
    #[error("the disk is full")]
    DiskFull,
    /// The data directory cannot be written.
    #[error("the data directory is read-only")]
    ReadOnly,
    /// Encryption or decryption failed.
    #[error("crypto: {0}")]
    Crypto(&'static str),
    /// A stored value is unreadable.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// File system failure.
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
}

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> StorageError {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StorageError::DiskFull,
            Some(
                rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::CannotOpen
                | rusqlite::ErrorCode::PermissionDenied,
            ) => StorageError::ReadOnly,
            _ => StorageError::Sqlite(error),
        }
    }
}

impl From<ecard_migrations::MigrationError> for StorageError {
    /// A database from a newer release (the app was downgraded) cannot be
    /// read by this one: to the person it is unreadable stored data.
    fn from(error: ecard_migrations::MigrationError) -> StorageError {
        match error {
            ecard_migrations::MigrationError::Sqlite(error) => error.into(),
            newer @ ecard_migrations::MigrationError::NewerThanKnown { .. } => {
                StorageError::Corrupt(newer.to_string())
            }
        }
    }
}

impl From<PresentError> for ClientError {
    /// A key-store failure while making a code is a key-store failure (a
    /// cancelled biometric prompt is `user_cancelled`, not an internal error).
    fn from(error: PresentError) -> ClientError {
        match error {
            PresentError::KeyStore(error) => ClientError::KeyStore(error),
            other => ClientError::Code(other),
        }
    }
}

impl From<rusqlite::Error> for ClientError {
    fn from(error: rusqlite::Error) -> ClientError {
        ClientError::Storage(error.into())
    }
}

/// What the UI can do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    /// The platform could not be reached or answered badly: retry later.
    Network,
    /// The thing asked for does not exist.
    NotFound,
    /// An input is wrong: highlight the field.
    InvalidInput,
    /// The rules or the state do not allow it.
    NotAllowed,
    /// The card or credential is lost, revoked or expired.
    Revoked,
    /// A fault in the app or device.
    Internal,
}

/// Errors of the client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No account is enrolled on this device.
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// The platform cannot be reached.
    #[error("the platform cannot be reached: {0}")]
    Offline(String),
    /// The platform did not answer in time.
    #[error("the platform did not answer in time")]
    Timeout,
    /// The platform asked us to come back later.
    #[error("the platform is busy")]
    Busy {
        /// Seconds it asked us to wait.
        retry_after: Option<u64>,
    },
    /// The platform's answer could not be understood.
    #[error("unexpected answer from the platform: {0}")]
    BadReply(String),
    /// The platform refused the request.
    #[error("the platform refused: {code:?}: {detail}")]
    Refused {
        /// The stable problem code.
        code: ProblemCode,
        /// The platform's detail.
        detail: String,
        /// The field at fault, if any.
        field: Option<String>,
    },
    /// An input failed validation before anything was sent.
    #[error("invalid {field}: {error}")]
    InvalidInput {
        /// The field.
        field: String,
        /// Why.
        error: DocumentError,
    },
    /// An input failed a check that has no document rule (e.g. an empty choice).
    #[error("invalid {field}: {reason}")]
    InvalidChoice {
        /// The field.
        field: String,
        /// Why, in English for logs.
        reason: String,
    },
    /// The card is reported lost or suspended: no codes.
    #[error("the card is suspended")]
    CardSuspended,
    /// There is no credential for this card on this device.
    #[error("no e-card credential on this device")]
    NoCredential,
    /// The credential expired and could not be renewed (offline too long).
    #[error("the e-card credential expired")]
    CredentialExpired,
    /// Making a code failed.
    #[error(transparent)]
    Code(PresentError),
    /// The key store failed.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    /// The phone's key store would not open the local data key (a cancelled
    /// prompt, a locked store, a store that failed) and did not say the key
    /// is gone. Nothing was deleted: opening again once the key store
    /// answers finds the session, drafts and queued submissions as they were.
    #[error("the key store did not open the local data: {source}")]
    KeyStoreUnavailable {
        /// What the key store answered.
        #[source]
        source: KeyStoreError,
        /// Whether opening again later can succeed (every refusal but a
        /// store that cannot do the operation at all).
        retryable: bool,
    },
    /// The local database was sealed with one field cipher at its first
    /// open and the app now asks for the other. Nothing was opened, changed
    /// or re-encrypted, and the key store was not asked; opening with the
    /// recorded cipher works, and only deleting the local data (the data
    /// directory) lets this device start over under the other one.
    #[error("the local data is sealed with {recorded}, but {requested} was asked for")]
    FieldCipherMismatch {
        /// The cipher the database was created with.
        recorded: crate::storage::cipher::FieldCipherSuite,
        /// The cipher the configuration asked for.
        requested: crate::storage::cipher::FieldCipherSuite,
    },
    /// Local storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The app's face check gave no result.
    #[error(transparent)]
    FaceCheck(crate::identity::FaceCheckError),
    /// Something asked for does not exist locally.
    #[error("not found: {0}")]
    NotFound(String),
    /// A bug or an unexpected state.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ClientError {
    /// The stable code.
    pub fn code(&self) -> String {
        match self {
            ClientError::NotEnrolled => "not_enrolled".into(),
            ClientError::Offline(_) => "offline".into(),
            ClientError::Timeout => "timeout".into(),
            ClientError::Busy { .. } => "busy".into(),
            ClientError::BadReply(_) => "bad_reply".into(),
            ClientError::Refused { code, .. } => code.as_str(),
            ClientError::InvalidInput { error, .. } => error.code().to_owned(),
            ClientError::InvalidChoice { .. } => "invalid_choice".into(),
            ClientError::CardSuspended => "card_suspended".into(),
            ClientError::NoCredential => "no_credential".into(),
            ClientError::CredentialExpired => "credential_expired".into(),
            ClientError::Code(_) => "code_failed".into(),
            ClientError::KeyStore(KeyStoreError::UserCancelled) => "user_cancelled".into(),
            ClientError::KeyStore(KeyStoreError::Locked) => "key_store_locked".into(),
            ClientError::KeyStore(KeyStoreError::UnsupportedSuite) => "unsupported_suite".into(),
            ClientError::KeyStore(_) => "key_store".into(),
            ClientError::KeyStoreUnavailable { .. } => "key_store_unavailable".into(),
            ClientError::FieldCipherMismatch { .. } => "field_cipher_mismatch".into(),
            ClientError::Storage(StorageError::DiskFull) => "disk_full".into(),
            ClientError::Storage(StorageError::ReadOnly) => "storage_read_only".into(),
            ClientError::Storage(_) => "storage".into(),
            ClientError::NotFound(_) => "not_found".into(),
            ClientError::FaceCheck(crate::identity::FaceCheckError::Cancelled) => {
                "face_check_cancelled".into()
            }
            ClientError::FaceCheck(_) => "face_check_unavailable".into(),
            ClientError::Internal(_) => "internal".into(),
        }
    }

    /// The field at fault, for input errors.
    pub fn field(&self) -> Option<String> {
        match self {
            ClientError::InvalidInput { field, .. } | ClientError::InvalidChoice { field, .. } => {
                Some(field.clone())
            }
            ClientError::Refused { field, .. } => field.clone(),
            _ => None,
        }
    }

    /// What the UI can do about it.
    pub fn category(&self) -> ErrorCategory {
        match self {
            ClientError::Offline(_)
            | ClientError::Timeout
            | ClientError::Busy { .. }
            | ClientError::BadReply(_) => ErrorCategory::Network,
            ClientError::NotFound(_) => ErrorCategory::NotFound,
            ClientError::InvalidInput { .. } | ClientError::InvalidChoice { .. } => {
                ErrorCategory::InvalidInput
            }
            ClientError::Refused { code, .. } => match code {
                ProblemCode::NotFound => ErrorCategory::NotFound,
                ProblemCode::InvalidField
                | ProblemCode::MalformedRequest
                | ProblemCode::IdentityNotVerified
                | ProblemCode::OneTimeCodeWrong
                | ProblemCode::PinWrong
                | ProblemCode::PinTooSimple => ErrorCategory::InvalidInput,
                ProblemCode::CardNotActive
                | ProblemCode::CardExpired
                | ProblemCode::CodeRevoked => ErrorCategory::Revoked,
                ProblemCode::Internal => ErrorCategory::Network,
                _ => ErrorCategory::NotAllowed,
            },
            ClientError::NotEnrolled => ErrorCategory::NotAllowed,
            ClientError::CardSuspended
            | ClientError::NoCredential
            | ClientError::CredentialExpired => ErrorCategory::Revoked,
            ClientError::Code(PresentError::PurposeNotGranted) => ErrorCategory::NotAllowed,
            ClientError::Code(
                PresentError::CredentialNotValid | PresentError::CounterExhausted,
            ) => ErrorCategory::Revoked,
            ClientError::KeyStore(
                KeyStoreError::UserCancelled
                | KeyStoreError::Locked
                | KeyStoreError::UnsupportedSuite,
            ) => ErrorCategory::NotAllowed,
            // The person can act (confirm, unlock); the data waits.
            ClientError::KeyStoreUnavailable {
                source: KeyStoreError::UserCancelled | KeyStoreError::Locked,
                ..
            } => ErrorCategory::NotAllowed,
            ClientError::KeyStoreUnavailable { .. } => ErrorCategory::Internal,
            ClientError::FaceCheck(crate::identity::FaceCheckError::Cancelled) => {
                ErrorCategory::NotAllowed
            }
            ClientError::FaceCheck(_) => ErrorCategory::Network,
            ClientError::Code(_)
            | ClientError::KeyStore(_)
            | ClientError::FieldCipherMismatch { .. }
            | ClientError::Storage(_)
            | ClientError::Internal(_) => ErrorCategory::Internal,
        }
    }

    /// A plain-language message for the person using the app.
    pub fn message(&self, locale: Locale) -> String {
        let text = match self {
            ClientError::NotEnrolled => locale.pick("请先登录并完成实名认证。", "Please sign in and verify your identity first."),
            ClientError::Offline(_) => locale.pick(
                "网络连接不上，请检查网络后重试。已填写的内容已保存，联网后会自动提交。",
                "Cannot connect. Check your network and try again. What you entered is saved and will be sent when you are online.",
            ),
            ClientError::Timeout | ClientError::BadReply(_) => locale.pick(
                "服务暂时没有响应，请稍后再试。",
                "The service is not responding. Please try again later.",
            ),
            ClientError::Busy { .. } => locale.pick("服务繁忙，请稍后再试。", "The service is busy. Please try again in a moment."),
            ClientError::Refused { code, .. } => return refused_message(*code, locale).to_owned(),
            ClientError::InvalidInput { error, .. } => return error.message(locale).to_owned(),
            ClientError::InvalidChoice { .. } => locale.pick("请检查填写的内容。", "Please check what you entered."),
            ClientError::CardSuspended => locale.pick(
                "此卡已挂失或停用，暂时不能出示电子社保卡码。",
                "This card is reported lost or suspended, so its e-card code cannot be shown.",
            ),
            ClientError::NoCredential => locale.pick(
                "电子社保卡尚未开通，请联网打开应用领取。",
                "Your e-card is not set up yet. Go online and open the app to get it.",
            ),
            ClientError::CredentialExpired => locale.pick(
                "电子社保卡需要更新，请联网后重试。",
                "Your e-card needs to be renewed. Go online and try again.",
            ),
            ClientError::Code(PresentError::PurposeNotGranted) => locale.pick(
                "此电子社保卡不能用于该场景。",
                "This e-card cannot be used for that purpose.",
            ),
            ClientError::KeyStore(KeyStoreError::UserCancelled) => locale.pick("已取消。", "Cancelled."),
            ClientError::KeyStore(KeyStoreError::Locked) => locale.pick(
                "手机已锁定，请解锁手机后再试。",
                "Your phone is locked. Unlock it and try again.",
            ),
            ClientError::KeyStore(KeyStoreError::UnsupportedSuite) => locale.pick(
                "这部手机的安全存储不支持所选的签名算法，无法生成电子社保卡密钥。请更新应用后再试。",
                "This phone's secure storage does not support the chosen signature algorithm, so the e-card key cannot be made. Update the app and try again.",
            ),
            ClientError::KeyStoreUnavailable { source: KeyStoreError::UserCancelled, .. } => locale.pick(
                "需要先验证是您本人才能打开电子社保卡。您的资料都还在，请重试并完成验证。",
                "Your e-card opens only after you confirm it is you. Nothing has been lost: try again and complete the check.",
            ),
            ClientError::KeyStoreUnavailable { source: KeyStoreError::Locked, .. } => locale.pick(
                "手机已锁定，电子社保卡暂时打不开。您的资料都还在，请解锁手机后再试。",
                "Your phone is locked, so your e-card cannot open yet. Nothing has been lost: unlock your phone and try again.",
            ),
            ClientError::KeyStoreUnavailable { .. } => locale.pick(
                "手机的安全存储暂时无法使用，电子社保卡打不开。您的资料都还在，请稍后再试。",
                "Your phone's secure storage is not available right now, so your e-card cannot open. Nothing has been lost: try again in a moment.",
            ),
            ClientError::FieldCipherMismatch { .. } => locale.pick(
                "本机的电子社保卡数据是用另一种加密方式保存的，与应用当前的设置不一致，因此没有打开。数据没有被改动。请更新应用，或联系客服。",
                "The e-card data on this phone was saved with a different encryption setting than the app now uses, so it was not opened. Nothing has been changed. Please update the app or contact support.",
            ),
            ClientError::Storage(StorageError::DiskFull) => locale.pick(
                "手机存储空间已满，请清理后重试，已有数据不会丢失。",
                "Your phone's storage is full. Free some space and try again; nothing has been lost.",
            ),
            ClientError::NotFound(_) => locale.pick("没有找到相关信息。", "Nothing was found."),
            ClientError::FaceCheck(crate::identity::FaceCheckError::Cancelled) => locale.pick(
                "人脸识别已取消。办理需要本人完成人脸识别。",
                "The face check was cancelled. This needs the person themself to do the face check.",
            ),
            ClientError::FaceCheck(_) => locale.pick(
                "人脸识别暂时无法使用，请稍后再试，或到服务网点办理。",
                "The face check is not available right now. Try again later, or go to a service outlet.",
            ),
            ClientError::Code(_) | ClientError::KeyStore(_) | ClientError::Storage(_) | ClientError::Internal(_) => locale.pick(
                "应用出了点问题，请重新打开应用后再试。",
                "Something went wrong in the app. Please reopen it and try again.",
            ),
        };
        text.to_owned()
    }
}

fn refused_message(code: ProblemCode, locale: Locale) -> &'static str {
    match code {
        ProblemCode::IdentityNotVerified => locale.pick(
            "身份核验未通过。请核对姓名和证件号码，并由本人完成人脸识别。",
            "Your identity could not be verified. Check the name and document number, and have the person themself do the face check.",
        ),
        ProblemCode::OneTimeCodeWrong => locale.pick(
            "短信验证码不正确或已过期，请核对后重新输入。",
            "The text message code is wrong or has expired. Please check it and try again.",
        ),
        ProblemCode::PinWrong => locale.pick(
            "电子社保卡密码不正确，请重新输入。连续输错多次将被锁定。",
            "The e-card PIN is wrong. Please try again; too many wrong tries lock it.",
        ),
        ProblemCode::PinLocked => locale.pick(
            "电子社保卡密码已被锁定。请稍后再试，或通过人脸识别重置密码。",
            "Your e-card PIN is locked. Try again later, or reset it with a face check.",
        ),
        ProblemCode::PinTooSimple => locale.pick(
            "密码过于简单。请不要使用连续或重复的数字、生日或证件号码中的数字。",
            "This PIN is too easy to guess. Avoid runs or repeats of digits, your birthday and digits of your ID number.",
        ),
        ProblemCode::PinRequired => locale.pick(
            "请输入电子社保卡密码以确认本次操作。",
            "Please enter your e-card PIN to confirm.",
        ),
        ProblemCode::ApprovalPending => locale.pick(
            "请输入发送到预留手机号的验证码，或在已登录的手机上确认新设备。",
            "Enter the code sent to the phone on record, or approve this new device on a phone you already use.",
        ),
        ProblemCode::RateLimited => locale.pick(
            "尝试次数过多，请稍后再试。",
            "Too many attempts. Please try again later.",
        ),
        ProblemCode::InvalidField | ProblemCode::MalformedRequest => locale.pick(
            "填写的信息有误，请检查后重试。",
            "Some information is not right. Please check and try again.",
        ),
        ProblemCode::NotAllowedByRules => locale.pick(
            "按本地规定，此业务不能在网上办理，请到社保卡服务网点办理。",
            "Local rules do not allow this online. Please go to a card service outlet.",
        ),
        ProblemCode::InvalidState => locale.pick(
            "当前状态下不能办理此业务。",
            "This cannot be done at the current stage.",
        ),
        ProblemCode::QuotaExceeded => locale.pick(
            "亲情账户数量已达上限，请先解除不再需要的亲属。",
            "You have reached the limit of relatives. Remove one you no longer help first.",
        ),
        ProblemCode::CardNotActive => locale.pick(
            "此卡当前不可用（可能已挂失、停用或尚未领卡）。",
            "This card cannot be used right now (it may be lost, suspended or not yet received).",
        ),
        ProblemCode::CardExpired => locale.pick(
            "这张社保卡已过有效期，不能再出示电子社保卡码。请申请换卡。",
            "This card has passed its expiry date, so its e-card code cannot be shown. Please apply for a replacement card.",
        ),
        ProblemCode::AuthorityEnded => locale.pick(
            "您为此人出示电子社保卡码的授权已到期（授权已结束或被监护人已成年），不能再生成二维码。",
            "Your authority to show this person's code has ended (the mandate ended or the child has come of age).",
        ),
        ProblemCode::GuardianRequired => locale.pick(
            "未满18周岁的持卡人办理此业务需由法定监护人代办。请让监护人在他们的手机上为您办理。",
            "You are under 18, so your legal guardian does this for you. Ask your guardian to do it from their phone.",
        ),
        ProblemCode::NoMandate | ProblemCode::Forbidden => locale.pick(
            "您没有为此人办理该业务的授权。",
            "You are not authorised to do this for this person.",
        ),
        ProblemCode::CodeInvalid => locale.pick(
            "二维码无法识别或已过期，请刷新电子社保卡码后重新出示。",
            "The code could not be read or has expired. Refresh your e-card code and show it again.",
        ),
        ProblemCode::CodeRevoked => locale.pick(
            "此电子社保卡码已失效（卡已挂失，或代办授权已结束）。",
            "This e-card code is no longer valid (the card was reported lost, or the mandate ended).",
        ),
        ProblemCode::CodeReplayed => locale.pick(
            "此二维码已经使用过，请刷新电子社保卡码后重新出示。",
            "This code has already been used. Refresh your e-card code and show it again.",
        ),
        ProblemCode::NotFound => locale.pick("没有找到相关信息。", "Nothing was found."),
        ProblemCode::CertificateInvalid => locale.pick(
            "这份证明无法核验：它不是本平台出具的，或文件已被改动。",
            "This certificate cannot be verified: it was not issued here, or the file was changed.",
        ),
        ProblemCode::CertificateExpired => locale.pick(
            "这份证明已过有效期，请重新开具。",
            "This certificate has expired. Please issue a new one.",
        ),
        ProblemCode::CertificatesUnavailable => locale.pick(
            "暂时无法开具证明，请稍后再试，或到服务网点办理。",
            "Certificates cannot be issued right now. Try again later, or go to a service outlet.",
        ),
        ProblemCode::LoginRequestEnded => locale.pick(
            "这个登录二维码已失效（已过期或已处理），请刷新网页或机器上的二维码后重新扫码。",
            "This login QR code is no longer valid (it expired or was already used). Refresh the QR code on the website or machine and scan again.",
        ),
        ProblemCode::ScopeNotAllowed => locale.pick(
            "您没有代此人扫码登录的授权，或对方网站未获准读取这些信息。",
            "You are not authorised to log in for this person, or the website is not allowed to read this information.",
        ),
        ProblemCode::Unauthenticated | ProblemCode::ClockSkew | ProblemCode::ReplayedRequest => {
            locale.pick(
                "登录状态已失效，请重新登录。",
                "Your sign-in has expired. Please sign in again.",
            )
        }
        ProblemCode::BodyTooLarge => locale.pick(
            "照片或内容太大，请压缩后重试。",
            "The photo or content is too large. Please make it smaller.",
        ),
        ProblemCode::IdempotencyKeyMissing
        | ProblemCode::IdempotencyKeyReused
        | ProblemCode::MethodNotAllowed
        | ProblemCode::Internal => locale.pick(
            "服务出了点问题，请稍后再试。",
            "The service had a problem. Please try again later.",
        ),
    }
}
