//! Words and small decisions every screen needs, in zh-CN and en: what a
//! purpose is called, what a flow's step says, what a person can do about
//! an error, and how a code counts down.
//!
//! Why in the core: the three apps each wrote these again, with their own
//! wording and their own bugs (a countdown on the phone's clock, an error
//! with no way forward). Written once here, every app shows the same words
//! for the same state, and the bindings pass them through. What is only
//! chrome (tab names, button captions of a screen) stays in each app's
//! resource catalog.

use ecard_credential::{Locale, Purpose};

use crate::codes::CodeView;
use crate::error::ErrorCategory;
use crate::workflows::FlowStep;

/// What a purpose's code is called (乘车码, "Transport", …).
pub fn purpose_label(purpose: Purpose, locale: Locale) -> &'static str {
    match purpose {
        Purpose::Transport => locale.pick("乘车码", "Transport"),
        Purpose::Medical => locale.pick("就医码", "Medical"),
        Purpose::Identity => locale.pick("身份码", "Identity"),
        Purpose::CultureTourism => locale.pick("文旅码", "Culture & tourism"),
        Purpose::CampusEntry => locale.pick("校园码", "Campus entry"),
        Purpose::Library => locale.pick("借阅码", "Library"),
        Purpose::EducationExam => locale.pick("教育考试码", "Education exam"),
        Purpose::PersonnelExam => locale.pick("人事考试码", "Personnel exam"),
    }
}

/// Money in fen as yuan, e.g. 1000 → `¥10.00`.
pub fn format_fen(fen: u32) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// What the application screen says about where a flow stands.
pub fn step_label(step: &FlowStep, locale: Locale) -> String {
    match step {
        FlowStep::WaitingToSend => locale.pick("等待联网提交", "Waiting to send").into(),
        FlowStep::Pay { amount_fen } => {
            let amount = format_fen(*amount_fen);
            match locale {
                Locale::ZhCn => format!("待缴费 {amount}"),
                Locale::En => format!("To pay {amount}"),
            }
        }
        FlowStep::InProduction => locale.pick("制卡中", "In production").into(),
        FlowStep::InTransit => locale
            .pick("已寄出，请留意查收", "Posted, on its way")
            .into(),
        FlowStep::CollectAtOutlet => locale
            .pick(
                "请到网点领卡，领取后点“确认收到”",
                "Collect it at the outlet, then confirm",
            )
            .into(),
        FlowStep::Activate => locale
            .pick("请启用社保功能", "Enable the social-security function")
            .into(),
        FlowStep::ResubmitPhoto { reason } => match locale {
            Locale::ZhCn => format!("制卡失败：{reason}，请重新上传照片"),
            Locale::En => format!("Production failed: {reason}. Send a new photo"),
        },
        FlowStep::Done => locale.pick("已完成", "Done").into(),
        FlowStep::Cancelled => locale.pick("已撤销", "Cancelled").into(),
    }
}

/// What the person can do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorAction {
    /// Try again (the network; submissions are queued meanwhile).
    Retry,
    /// Correct the field the error names.
    FixField,
    /// Go to a service outlet (a rule forbids it online, a card is lost).
    GoToCounter,
    /// Reopen the app (a fault).
    Reopen,
    /// Nothing to offer: the message says it all.
    None,
}

impl ErrorAction {
    /// Every action.
    pub const ALL: [ErrorAction; 5] = [
        ErrorAction::Retry,
        ErrorAction::FixField,
        ErrorAction::GoToCounter,
        ErrorAction::Reopen,
        ErrorAction::None,
    ];

    /// The action's stable name (`retry`, `fix_field`, `go_to_counter`,
    /// `reopen`, `none`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorAction::Retry => "retry",
            ErrorAction::FixField => "fix_field",
            ErrorAction::GoToCounter => "go_to_counter",
            ErrorAction::Reopen => "reopen",
            ErrorAction::None => "none",
        }
    }

    /// The button caption, or `""` for [`ErrorAction::None`].
    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            ErrorAction::Retry => locale.pick("重试", "Try again"),
            ErrorAction::FixField => locale.pick("去修改", "Correct it"),
            ErrorAction::GoToCounter => locale.pick("查找网点", "Find an outlet"),
            ErrorAction::Reopen => locale.pick("重新打开", "Reopen"),
            ErrorAction::None => "",
        }
    }
}

/// What to offer for an error of `category` with stable `code`.
pub fn error_action(category: ErrorCategory, code: &str) -> ErrorAction {
    match category {
        ErrorCategory::Network => ErrorAction::Retry,
        ErrorCategory::InvalidInput => ErrorAction::FixField,
        ErrorCategory::NotAllowed if code == "not_allowed_by_rules" => ErrorAction::GoToCounter,
        ErrorCategory::NotAllowed | ErrorCategory::NotFound => ErrorAction::None,
        ErrorCategory::Revoked if code == "card_suspended" => ErrorAction::GoToCounter,
        ErrorCategory::Revoked => ErrorAction::Retry,
        ErrorCategory::Internal => ErrorAction::Reopen,
    }
}

/// Refresh a code this many seconds before it expires, so it never dies
/// at a gate.
pub const REFRESH_MARGIN_SECONDS: u64 = 5;

/// The countdown of the code screen, as plain arithmetic (no timer inside):
/// the screen ticks it once a second with the phone's clock.
///
/// Why it follows the code's own times and an offset rather than the
/// phone's clock alone: codes carry the platform's time, and a phone whose
/// clock is off would otherwise count down to the wrong moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeCountdown {
    /// When the code was made (platform time, Unix seconds).
    pub issued_at: u64,
    /// When it expires (platform time, Unix seconds).
    pub expires_at: u64,
    /// Platform time minus the phone's time when the code arrived, seconds.
    pub offset_seconds: i64,
}

impl CodeCountdown {
    /// The countdown of a code issued at `issued_at` and expiring at
    /// `expires_at` (platform time) that had `seconds_left` when it arrived,
    /// at the phone's time `local_now` — what both bindings' code views
    /// carry.
    pub fn new(
        issued_at: u64,
        expires_at: u64,
        seconds_left: u64,
        local_now: u64,
    ) -> CodeCountdown {
        let platform_now = expires_at as i64 - seconds_left as i64;
        CodeCountdown {
            issued_at,
            expires_at,
            offset_seconds: platform_now - local_now as i64,
        }
    }

    /// The countdown of the core's `code` made at platform time
    /// `trusted_now`, which arrived when the phone's clock read `local_now`.
    pub fn of(code: &CodeView, trusted_now: u64, local_now: u64) -> CodeCountdown {
        CodeCountdown::new(
            code.issued_at,
            code.expires_at,
            code.seconds_left_at(trusted_now),
            local_now,
        )
    }

    /// Whole seconds left at the phone's time `local_now`.
    pub fn seconds_left(&self, local_now: u64) -> u64 {
        let platform_now = local_now as i64 + self.offset_seconds;
        (self.expires_at as i64 - platform_now).max(0) as u64
    }

    /// 1 when fresh, 0 when expired: for a progress ring.
    pub fn fraction(&self, local_now: u64) -> f64 {
        let lifetime = self.expires_at.saturating_sub(self.issued_at).max(1);
        (self.seconds_left(local_now) as f64 / lifetime as f64).min(1.0)
    }

    /// Whether to fetch the next code now.
    pub fn needs_refresh(&self, local_now: u64) -> bool {
        self.seconds_left(local_now) <= REFRESH_MARGIN_SECONDS
    }
}

/// Seconds as `m:ss` (`0:45`, `1:05`) for a countdown.
pub fn countdown_text(seconds: u64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use ecard_credential::HolderRole;

    use super::*;

    #[test]
    fn labels_exist_in_both_languages() {
        assert_eq!(purpose_label(Purpose::Transport, Locale::ZhCn), "乘车码");
        assert_eq!(
            purpose_label(Purpose::CultureTourism, Locale::En),
            "Culture & tourism"
        );
        assert_eq!(format_fen(1_000), "¥10.00");
        assert_eq!(format_fen(5), "¥0.05");
        assert_eq!(
            step_label(&FlowStep::Pay { amount_fen: 2_050 }, Locale::ZhCn),
            "待缴费 ¥20.50"
        );
        assert_eq!(
            step_label(
                &FlowStep::ResubmitPhoto {
                    reason: "blurred".into()
                },
                Locale::En
            ),
            "Production failed: blurred. Send a new photo"
        );
    }

    #[test]
    fn every_category_offers_a_way_forward_or_none() {
        assert_eq!(
            error_action(ErrorCategory::Network, "offline"),
            ErrorAction::Retry
        );
        assert_eq!(
            error_action(ErrorCategory::InvalidInput, "pin_wrong"),
            ErrorAction::FixField
        );
        assert_eq!(
            error_action(ErrorCategory::NotAllowed, "not_allowed_by_rules"),
            ErrorAction::GoToCounter
        );
        assert_eq!(
            error_action(ErrorCategory::NotAllowed, "user_cancelled"),
            ErrorAction::None
        );
        assert_eq!(
            error_action(ErrorCategory::Revoked, "card_suspended"),
            ErrorAction::GoToCounter
        );
        assert_eq!(
            error_action(ErrorCategory::Revoked, "no_credential"),
            ErrorAction::Retry
        );
        assert_eq!(
            error_action(ErrorCategory::Internal, "panic").label(Locale::En),
            "Reopen"
        );
        assert_eq!(ErrorAction::None.label(Locale::ZhCn), "");
    }

    #[test]
    fn the_countdown_follows_the_platform_clock_not_the_phones() {
        let code = CodeView {
            card_id: "c".into(),
            purpose: Purpose::Transport,
            text: "x".into(),
            qr_version: 10,
            issued_at: 1_000,
            expires_at: 1_060,
            on_behalf: HolderRole::Holder,
            counter: 1,
            credential_not_after: 9_999,
            seconds_left: 60,
        };
        // The phone's clock is 300 s behind the platform.
        let countdown = CodeCountdown::of(&code, 1_000, 700);
        assert_eq!(countdown.seconds_left(700), 60);
        assert_eq!(countdown.seconds_left(730), 30);
        assert!(!countdown.needs_refresh(730));
        assert!(countdown.needs_refresh(755));
        assert_eq!(countdown.seconds_left(900), 0);
        assert!((countdown.fraction(730) - 0.5).abs() < 1e-9);
        assert_eq!(countdown_text(45), "0:45");
        assert_eq!(countdown_text(65), "1:05");
    }
}
