//! The card's money on the phone: the financial account of a card's bank
//! function (bank, masked account, state, the bank's hotline), the payments
//! into it with their source (pension, 惠民惠农 subsidies, migrant workers'
//! wages), and the financial loss report (金融功能挂失).
//!
//! The financial loss report is not the social-security one: it reports
//! only the bank function, leaves the card's codes working, and is
//! complete only once the bank is called. It goes through the outbox like
//! every submission, so a bad connection loses nothing; the bank's hotline
//! is shown from the cached account even before it is sent.

use ecard_api::money::{FinancialAccount, Payment, PaymentPage};
use ecard_api::paths;
use serde::{Deserialize, Serialize};

use crate::client::EcardClient;
use crate::error::ClientError;
use crate::net::{ApiRequest, RetryPolicy};
use crate::workflows::Submission;
use crate::workflows::{Freshness, access_withdrawn};

/// The workflow-cache kind of financial accounts (one per card).
const ACCOUNT_KIND: &str = "financial_account";
/// The workflow-cache kind of payments.
const PAYMENT_KIND: &str = "payment";

/// A card's financial account, and how fresh that is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct FinancialAccountView {
    /// The account as the platform knows it.
    pub account: FinancialAccount,
    /// How fresh it is.
    pub freshness: Freshness,
}

/// The card's money of the client.
impl EcardClient {
    /// The financial account of `card_id` (the holder's, or a card this
    /// account tracks or reports lost for someone). Offline, the account
    /// last fetched.
    pub async fn financial_account(
        &self,
        card_id: &str,
    ) -> Result<FinancialAccountView, ClientError> {
        let fetched: Result<FinancialAccount, ClientError> = self
            .signed_get(paths::with_id(paths::FINANCIAL_ACCOUNT, card_id))
            .await;
        match fetched {
            Ok(account) => {
                if account.card_id != card_id {
                    return Err(ClientError::BadReply("the account of another card".into()));
                }
                self.cache_workflow(ACCOUNT_KIND, card_id, &account).await?;
                Ok(FinancialAccountView {
                    account,
                    freshness: self.freshness(self.trusted_now(), false),
                })
            }
            Err(error) => match (error, self.financial_account_cached(card_id)?) {
                (ClientError::Offline(_) | ClientError::Timeout, Some(view)) => Ok(view),
                (error, _) => {
                    if access_withdrawn(&error) {
                        self.forget_workflow(ACCOUNT_KIND, card_id).await?;
                    }
                    Err(error)
                }
            },
        }
    }

    /// The financial account of `card_id` as last fetched. Local I/O only.
    pub fn financial_account_cached(
        &self,
        card_id: &str,
    ) -> Result<Option<FinancialAccountView>, ClientError> {
        Ok(self
            .cached_workflow_entry::<FinancialAccount>(ACCOUNT_KIND, card_id)?
            .map(|(account, fetched_at)| FinancialAccountView {
                account,
                freshness: self.freshness(fetched_at, true),
            }))
    }

    /// A page of the payments into the card accounts of `person_id` (the
    /// account holder when `None`; someone else's need a mandate with the
    /// `track` scope), newest first; `before` is the previous page's
    /// `next_before`. Offline, the payments last fetched, in one page.
    pub async fn payments(
        &self,
        person_id: Option<String>,
        before: Option<u64>,
    ) -> Result<PaymentPage, ClientError> {
        let person = self.person_or_holder(person_id.as_deref())?;
        let network = self.signed_network()?;
        let path =
            crate::workflows::for_person_page(paths::MY_PAYMENTS, person_id.as_deref(), before);
        match self
            .call(
                &network,
                &ApiRequest::get(path).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let page: PaymentPage = response.json()?;
                for payment in &page.payments {
                    if payment.person_id != person {
                        return Err(ClientError::BadReply("a payment to someone else".into()));
                    }
                    self.cache_workflow(PAYMENT_KIND, &payment.payment_id, payment)
                        .await?;
                }
                Ok(page)
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => Ok(PaymentPage {
                payments: self.payments_cached(Some(&person))?,
                next_before: None,
            }),
            Err(error) => Err(error),
        }
    }

    /// The payments to `person_id` (the account holder when `None`) last
    /// fetched, newest first. Local I/O only.
    pub fn payments_cached(&self, person_id: Option<&str>) -> Result<Vec<Payment>, ClientError> {
        let person = self.person_or_holder(person_id)?;
        let mut payments: Vec<Payment> = self
            .cached_workflows::<Payment>(PAYMENT_KIND)?
            .into_iter()
            .filter(|payment| payment.person_id == person)
            .collect();
        payments.sort_by(|a, b| {
            b.paid_on
                .cmp(&a.paid_on)
                .then_with(|| b.payment_id.cmp(&a.payment_id))
        });
        Ok(payments)
    }

    /// Every financial account and payment this device knows (for the
    /// export).
    pub(crate) fn all_cached_money(
        &self,
    ) -> Result<(Vec<FinancialAccount>, Vec<Payment>), ClientError> {
        Ok((
            self.cached_workflows(ACCOUNT_KIND)?,
            self.cached_workflows(PAYMENT_KIND)?,
        ))
    }

    /// Reports the bank function of `card_id` lost (金融功能挂失), through
    /// the outbox. The card's social-security function and its codes stay
    /// as they are; the bank must still be called (its hotline is in
    /// [`Self::financial_account_cached`] and in the platform's answer).
    pub async fn report_financial_loss(&self, card_id: &str) -> Result<Submission, ClientError> {
        self.submit(
            "card.financial_loss_report",
            paths::with_id(paths::FINANCIAL_LOSS_REPORTS, card_id),
            serde_json::json!({}),
            Some(card_id.to_owned()),
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_api::money::{BankFunctionState, PaymentSource};
    use ecard_credential::Purpose;

    use crate::outbox::OutboxState;
    use crate::test_platform::with_enrolled;
    use crate::transport::faults::Fault;

    #[test]
    fn the_cards_money_shows_offline_and_a_financial_loss_report_leaves_the_codes_working() {
        with_enrolled("elder", |platform, client| async move {
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            let account = client.financial_account(&card_id).await.unwrap();
            assert_eq!(account.account.state, BankFunctionState::Active);
            assert!(account.account.account_masked.contains("****"));
            let hotline = account.account.bank.hotline.clone().unwrap();

            // Her pension and subsidies, newest first, page by page.
            let page = client.payments(None, None).await.unwrap();
            assert!(
                page.payments
                    .iter()
                    .any(|payment| payment.source == PaymentSource::Pension)
            );
            assert!(
                page.payments
                    .windows(2)
                    .all(|pair| pair[0].paid_on >= pair[1].paid_on)
            );
            let mut seen = page.payments.len();
            if let Some(before) = page.next_before {
                let older = client.payments(None, Some(before)).await.unwrap();
                assert!(older.payments.iter().all(|payment| {
                    !page
                        .payments
                        .iter()
                        .any(|newer| newer.payment_id == payment.payment_id)
                }));
                seen += older.payments.len();
            }

            // Offline: the account and the payments last fetched.
            platform.network.set_down(Some(Fault::Unreachable));
            let offline = client.financial_account(&card_id).await.unwrap();
            assert!(offline.freshness.offline);
            assert_eq!(offline.account, account.account);
            let cached = client.payments(None, None).await.unwrap();
            assert_eq!(cached.payments.len(), seen);

            // The financial loss report waits in the outbox while offline,
            // and the bank's hotline is there to call.
            let queued = client.report_financial_loss(&card_id).await.unwrap();
            assert_ne!(queued.state, OutboxState::Done);
            assert_eq!(
                client
                    .financial_account_cached(&card_id)
                    .unwrap()
                    .unwrap()
                    .account
                    .bank
                    .hotline,
                Some(hotline)
            );
            platform.network.set_down(None);
            let sent = client.retry_submission(queued.outbox_id).await.unwrap();
            assert_eq!(sent.state, OutboxState::Done);
            let reported = client.financial_account(&card_id).await.unwrap();
            assert_eq!(reported.account.state, BankFunctionState::LossReported);
            assert!(reported.account.loss_reported_at.is_some());

            // The social-security function works on: a hospital resolves
            // her medical code.
            let token = platform
                .service_point("南昌市第一医院", "hospital", &["medical"])
                .await;
            let code = client.current_code(None, Purpose::Medical).await.unwrap();
            platform.resolve(&token, "reg-1", &code.text).await;

            let export = client.export_personal_data().unwrap();
            assert_eq!(export.financial_accounts.len(), 1);
            assert_eq!(export.payments.len(), seen);
        });
    }
}
